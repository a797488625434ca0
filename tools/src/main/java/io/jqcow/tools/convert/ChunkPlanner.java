package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.image.ConvertSourceChain.Extent;
import io.jqcow.image.ConvertSourceChain.Kind;

/**
 * Cuts target space into chunks from the sources' block status. 2 MiB chunks like qemu-img's
 * buffer: large enough that per-request overhead vanishes against the copy, small enough that
 * -m 16 chunks in flight stay at 32 MiB of buffers. With compression, chunks are whole target
 * clusters (a cluster that mixes data and holes is read whole and counts as data).
 */
final class ChunkPlanner {
    static final int CHUNK_SIZE = 2 << 20;

    private final SourceSet sources;
    private final long total;
    private final int align;
    private final boolean fullyAllocate;
    private long pos;
    private long seq;
    private long cachedStart = -1;
    private long cachedEnd = -1;
    private Kind cachedKind;

    /**
     * @param align         cluster alignment of chunks (compression), 1 for none
     * @param fullyAllocate -S 0: every range is copied as data, block status is not asked
     */
    ChunkPlanner(SourceSet sources, int align, boolean fullyAllocate) {
        this.sources = sources;
        this.total = sources.totalLength();
        this.align = Math.max(1, align);
        this.fullyAllocate = fullyAllocate;
    }

    /** The next chunk, or null when target space is covered. */
    Chunk next() throws BlockException {
        if (pos >= total) {
            return null;
        }
        long end;
        Kind kind;
        if (fullyAllocate) {
            end = Math.min(total, pos + CHUNK_SIZE);
            kind = Kind.DATA;
        } else if (align == 1) {
            long extentEnd = extentAt(pos, Math.min(CHUNK_SIZE, total - pos));
            end = Math.min(extentEnd, pos + CHUNK_SIZE);
            kind = cachedKind;
        } else {
            long window = Math.min(total, (pos + CHUNK_SIZE) / align * align);
            long extentEnd = Math.min(extentAt(pos, window - pos), window);
            kind = cachedKind;
            end = extentEnd >= window ? window : extentEnd / align * align;
            if (end <= pos) {
                end = Math.min(total, pos + align);
                kind = mixedKind(pos, end);
            }
        }
        Chunk c = new Chunk(seq++, pos, (int) (end - pos), kind);
        pos = end;
        return c;
    }

    /** End of the extent holding offset (its kind in cachedKind); reuses the last answer. */
    private long extentAt(long offset, long max) throws BlockException {
        if (offset < cachedStart || offset >= cachedEnd) {
            Extent e = sources.status(offset, Math.max(max, CHUNK_SIZE));
            cachedStart = offset;
            cachedEnd = offset + e.length();
            cachedKind = e.kind();
        }
        return cachedEnd;
    }

    /** A cluster of several kinds: all one kind stays that kind, anything mixed is copied as data. */
    private Kind mixedKind(long start, long end) throws BlockException {
        Kind kind = null;
        long p = start;
        while (p < end) {
            long e = Math.min(end, extentAt(p, end - p));
            if (kind != null && kind != cachedKind) {
                return Kind.DATA;
            }
            kind = cachedKind;
            p = e;
        }
        return kind;
    }
}
