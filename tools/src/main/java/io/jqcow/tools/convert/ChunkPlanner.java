package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.image.ConvertSourceChain.Extent;
import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.tools.convert.Chunk.Piece;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts target space into chunks from the sources' block status. Chunks are 2 MiB windows aligned
 * in target space, like qemu-img's buffer: large enough that per-chunk overhead vanishes against
 * the copy, small enough that -m 16 chunks in flight stay at 32 MiB of buffers. With compression,
 * a window that mixes kinds is read whole as data (windows are whole clusters, as clusters are at
 * most 2 MiB), so every cluster is compressed from its complete content.
 */
final class ChunkPlanner {
    static final int CHUNK_SIZE = 2 << 20;

    private final SourceSet sources;
    private final long total;
    private final boolean wholeWindows;
    private final boolean fullyAllocate;
    private long pos;
    private long seq;
    private long cachedStart = -1;
    private long cachedEnd = -1;
    private Kind cachedKind;

    /**
     * @param wholeWindows  compression: a window of several kinds becomes one data piece
     * @param fullyAllocate -S 0: every range is copied as data, block status is not asked
     */
    ChunkPlanner(SourceSet sources, boolean wholeWindows, boolean fullyAllocate) {
        this.sources = sources;
        this.total = sources.totalLength();
        this.wholeWindows = wholeWindows;
        this.fullyAllocate = fullyAllocate;
    }

    /** The next chunk, or null when target space is covered. */
    Chunk next() throws BlockException {
        if (pos >= total) {
            return null;
        }
        long end = Math.min(total, (pos / CHUNK_SIZE + 1) * CHUNK_SIZE);
        int length = (int) (end - pos);
        List<Piece> pieces = new ArrayList<>(2);
        if (fullyAllocate) {
            pieces.add(new Piece(0, length, Kind.DATA));
        } else {
            long p = pos;
            while (p < end) {
                long e = Math.min(end, extentAt(p));
                add(pieces, (int) (p - pos), (int) (e - p), cachedKind);
                p = e;
            }
            if (wholeWindows && pieces.size() > 1) {
                pieces = List.of(new Piece(0, length, Kind.DATA));
            }
        }
        Chunk c = new Chunk(seq++, pos, length, pieces);
        pos = end;
        return c;
    }

    private static void add(List<Piece> pieces, int at, int length, Kind kind) {
        int last = pieces.size() - 1;
        if (last >= 0 && pieces.get(last).kind() == kind) {
            Piece prev = pieces.get(last);
            pieces.set(last, new Piece(prev.at(), prev.length() + length, kind));
        } else {
            pieces.add(new Piece(at, length, kind));
        }
    }

    /** End of the extent holding offset (its kind in cachedKind); reuses the last answer. */
    private long extentAt(long offset) throws BlockException {
        if (offset < cachedStart || offset >= cachedEnd) {
            Extent e = sources.status(offset, Math.max(CHUNK_SIZE, 64L * CHUNK_SIZE));
            cachedStart = offset;
            cachedEnd = offset + e.length();
            cachedKind = e.kind();
        }
        return cachedEnd;
    }
}
