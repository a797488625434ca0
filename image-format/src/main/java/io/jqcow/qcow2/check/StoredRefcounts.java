package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.Geometry;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The refcounts as stored in the image: the refcount table in memory (at most 8 MiB) and one cached
 * refcount block, so a sequential walk reads every block once. Repairs are written back on
 * {@link #flush} (memory: the changed blocks, at most the refcount structure's size).
 */
final class StoredRefcounts {
    static final long REFT_OFFSET_MASK = 0xFFFFFFFFFFFFFE00L;
    static final long REFT_RESERVED_MASK = 0x1FFL;

    private final BlockNode file;
    private final Geometry g;
    private final long[] table;
    /** Offset of the block {@link #current} holds, -1 for none. */
    private long cachedOffset = -1;
    private final ByteBuffer block;
    /** The block {@link #get} reads: {@link #block} or a changed block not yet written. */
    private ByteBuffer current;
    private final Map<Long, ByteBuffer> dirty = new LinkedHashMap<>();

    StoredRefcounts(BlockNode file, Geometry g, long[] table) {
        this.file = file;
        this.g = g;
        this.table = table;
        this.block = ByteBuffer.allocateDirect(g.clusterSize()); // direct: read without a bounce copy
        this.current = block;
    }

    static StoredRefcounts read(BlockNode file, Geometry g, long tableOffset, long tableClusters)
            throws BlockException {
        long bytes = tableClusters << g.clusterBits();
        long[] t = new long[(int) (bytes / 8)];
        if (t.length > 0) {
            ByteBuffer b = ByteBuffer.allocate(t.length * 8);
            file.read(tableOffset, b.duplicate());
            b.asLongBuffer().get(t);
        }
        return new StoredRefcounts(file, g, t);
    }

    long[] table() {
        return table;
    }

    /** No repaired block is waiting for {@link #flush}: what {@link #get} returns is what the file holds. */
    boolean isClean() {
        return dirty.isEmpty();
    }

    /** The same table with a block cache of its own, for reading on another thread (nothing dirty is shared). */
    StoredRefcounts withOwnCache() {
        return new StoredRefcounts(file, g, table);
    }

    /** Offset of the refcount block covering cluster, or 0 when there is none. */
    private long blockOffset(long cluster) {
        long ti = cluster >>> g.refblockBits();
        if (ti >= table.length) {
            return 0;
        }
        return table[(int) ti] & REFT_OFFSET_MASK;
    }

    /** Whether an aligned refcount block exists for the cluster (so its refcount can be written). */
    boolean covers(long cluster) {
        long off = blockOffset(cluster);
        return off != 0 && (off & g.clusterMask()) == 0;
    }

    private int indexInBlock(long cluster) {
        return (int) (cluster & ((1L << g.refblockBits()) - 1));
    }

    /** Stored refcount of a cluster; 0 where no block exists. */
    long get(long cluster) throws BlockException {
        long off = blockOffset(cluster);
        if (off == 0) {
            return 0;
        }
        if ((off & g.clusterMask()) != 0) {
            throw new BlockException(Errno.EIO, off, "Refblock offset " + Long.toHexString(off)
                    + " unaligned (reftable index: 0x" + Long.toHexString(cluster >>> g.refblockBits()) + ")");
        }
        load(off);
        return RefcountWidth.get(current, g.refcountOrder(), indexInBlock(cluster));
    }

    /**
     * Changes one refcount in its existing block (callers ensure the block exists). The change is
     * held in memory, and seen by {@link #get}, until {@link #flush}: qemu-img's repairs go through
     * its refcount cache the same way, so when a later step of a repair fails (a metadata overlap
     * marks the image corrupt) the refcount changes never reach the file, in qemu-img and here alike.
     */
    void set(long cluster, long value) throws BlockException {
        long off = blockOffset(cluster);
        if (off == 0 || (off & g.clusterMask()) != 0) {
            throw new BlockException(Errno.EIO, g.offsetOf(cluster), "no usable refcount block for cluster " + cluster);
        }
        load(off);
        if (!dirty.containsKey(off)) {
            ByteBuffer copy = ByteBuffer.allocate(g.clusterSize());
            copy.put(0, current, 0, g.clusterSize());
            dirty.put(off, copy);
            current = copy; // cachedOffset is still off: reads now see the copy
        }
        RefcountWidth.set(current, g.refcountOrder(), indexInBlock(cluster), value);
    }

    /** Writes the changed blocks and makes them durable. */
    void flush() throws BlockException {
        if (dirty.isEmpty()) {
            return;
        }
        for (Map.Entry<Long, ByteBuffer> e : dirty.entrySet()) {
            file.write(e.getKey(), e.getValue().duplicate().clear());
        }
        dirty.clear();
        cachedOffset = -1;
        current = block;
        file.flush();
    }

    /** Makes {@link #current} hold the block at {@code off}; the common case, the same block again, is free. */
    private void load(long off) throws BlockException {
        if (off == cachedOffset) {
            return;
        }
        ByteBuffer d = dirty.isEmpty() ? null : dirty.get(off);
        if (d != null) {
            current = d;
            cachedOffset = off;
            return;
        }
        cachedOffset = -1;
        current = block;
        file.read(off, block.duplicate().clear());
        cachedOffset = off;
    }
}
