package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A write-back cache of fixed-size metadata pieces (L2 slices or refcount blocks) keyed by file
 * offset. It is guarded by the driver's metadata lock and is not thread-safe on its own.
 *
 * <p>Ordering: a cache may depend on another; before it writes any dirty piece it writes out the
 * other cache and flushes the file, so what it references is durable first. Callers must not keep a
 * buffer across a later {@link #get} (the piece may have been evicted).
 */
final class MetadataCache {
    /** Writes one piece to the file (the driver checks for metadata overlaps first). */
    interface PieceWriter {
        void write(long offset, ByteBuffer data) throws BlockException;
    }

    private static final class Piece {
        final ByteBuffer data;
        boolean dirty;
        long lastUse;

        Piece(ByteBuffer data) {
            this.data = data;
        }
    }

    private final BlockNode file;
    private final int pieceSize;
    private final int capacity;
    private final PieceWriter writer;
    private final LinkedHashMap<Long, Piece> pieces = new LinkedHashMap<>(16, 0.75f, true);
    private MetadataCache dependency;
    private int dirtyCount;
    /** Pieces were written since the file was last flushed on this cache's behalf. */
    private boolean unflushed;
    /**
     * Dirty pieces reference clusters whose data writes completed but may not be durable: flush
     * before writing them, or a crash could keep an entry pointing past the end of the file.
     */
    private boolean flushFileFirst;

    MetadataCache(BlockNode file, int pieceSize, int capacity, PieceWriter writer) {
        this.file = file;
        this.pieceSize = pieceSize;
        this.capacity = Math.max(2, capacity);
        this.writer = writer;
    }

    int pieceSize() {
        return pieceSize;
    }

    int capacity() {
        return capacity;
    }

    /** The piece at offset, read from the file on a miss. */
    ByteBuffer get(long offset) throws BlockException {
        Piece p = pieces.get(offset);
        if (p == null) {
            makeRoom();
            ByteBuffer buf = ByteBuffer.allocate(pieceSize);
            file.read(offset, buf.duplicate());
            p = new Piece(buf);
            pieces.put(offset, p);
        }
        p.lastUse = System.nanoTime();
        return p.data;
    }

    /** A zeroed piece at offset that replaces whatever the file holds there (a new table). */
    ByteBuffer create(long offset) throws BlockException {
        Piece p = pieces.get(offset);
        if (p == null) {
            makeRoom();
            p = new Piece(ByteBuffer.allocate(pieceSize));
            pieces.put(offset, p);
        } else {
            p.data.clear();
            p.data.put(new byte[pieceSize]).clear();
        }
        p.lastUse = System.nanoTime();
        return p.data;
    }

    void markDirty(long offset) {
        Piece p = pieces.get(offset);
        if (p != null && !p.dirty) {
            p.dirty = true;
            dirtyCount++;
        }
    }

    boolean hasDirty() {
        return dirtyCount > 0;
    }

    /**
     * From now on this cache's dirty pieces may only reach the file after dep's. If dep itself waits
     * for another cache, that chain is written first so dependencies never form a cycle.
     */
    void dependOn(MetadataCache dep) throws BlockException {
        if (dependency == dep) {
            return;
        }
        if (dep.dependency != null) {
            dep.writeDependency();
        }
        if (dependency != null) {
            writeDependency();
        }
        dependency = dep;
    }

    private void writeDependency() throws BlockException {
        MetadataCache dep = dependency;
        dependency = null;
        if (dep == null) {
            return;
        }
        if (dep.hasDirty()) {
            dep.writeDirty();
        }
        // Written is not enough: what this cache references must be durable first.
        if (dep.unflushed) {
            file.flush();
            dep.unflushed = false;
            flushFileFirst = false;
        }
    }

    /** The file was flushed: everything written so far is durable. */
    void markFlushed() {
        unflushed = false;
        flushFileFirst = false;
    }

    /** The next write of dirty pieces must be preceded by a file flush (see {@link #flushFileFirst}). */
    void flushFileBeforeWriting() {
        flushFileFirst = true;
    }

    /** Writes every dirty piece (after the dependency); does not flush the file. */
    void writeDirty() throws BlockException {
        writeDependency();
        if (dirtyCount == 0) {
            return;
        }
        if (flushFileFirst) {
            file.flush();
            flushFileFirst = false;
        }
        List<Map.Entry<Long, Piece>> dirty = new ArrayList<>();
        for (Map.Entry<Long, Piece> e : pieces.entrySet()) {
            if (e.getValue().dirty) {
                dirty.add(e);
            }
        }
        dirty.sort(Map.Entry.comparingByKey());
        for (Map.Entry<Long, Piece> e : dirty) {
            writer.write(e.getKey(), e.getValue().data.duplicate().clear());
            unflushed = true;
            e.getValue().dirty = false;
            dirtyCount--;
        }
    }

    /** Writes a single piece now (used right after creating a new table). */
    void writeNow(long offset) throws BlockException {
        Piece p = pieces.get(offset);
        if (p != null) {
            writer.write(offset, p.data.duplicate().clear());
            unflushed = true;
            if (p.dirty) {
                p.dirty = false;
                dirtyCount--;
            }
        }
    }

    /** Forgets pieces in [offset, offset + length) without writing them (the table was freed). */
    void forget(long offset, long length) {
        Iterator<Map.Entry<Long, Piece>> it = pieces.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Piece> e = it.next();
            if (e.getKey() >= offset && e.getKey() < offset + length) {
                if (e.getValue().dirty) {
                    dirtyCount--;
                }
                it.remove();
            }
        }
    }

    /** Drops clean pieces unused since {@code before} (cache-clean-interval). */
    void dropUnusedSince(long before) {
        pieces.values().removeIf(p -> !p.dirty && p.lastUse < before);
    }

    int size() {
        return pieces.size();
    }

    private void makeRoom() throws BlockException {
        if (pieces.size() < capacity) {
            return;
        }
        Iterator<Map.Entry<Long, Piece>> it = pieces.entrySet().iterator();
        while (it.hasNext() && pieces.size() >= capacity) {
            if (!it.next().getValue().dirty) {
                it.remove();
            }
        }
        if (pieces.size() >= capacity) {
            writeDirty();
            it = pieces.entrySet().iterator();
            while (it.hasNext() && pieces.size() >= capacity) {
                it.next();
                it.remove();
            }
        }
    }
}
