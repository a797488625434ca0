package io.jqcow.block;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request layer's calls into the driver once a request is aligned: splitting at maxTransfer,
 * zero-filling reads past EOF, read-modify-write of partial blocks, and the write-zeroes fallback.
 * Callers hold a tracked request that already waited for its conflicts.
 */
final class AlignedIo {
    /** Largest zeroed buffer the write-zeroes fallback writes at once. */
    static final long FALLBACK_CHUNK = 16L << 20;
    /** Largest single write-zeroes or discard call (the driver SPI has no separate limit). */
    static final long MAX_ZERO_CHUNK = 1L << 30;
    /** Flags that mean something to the request layer only. */
    private static final int LAYER_ONLY = RequestFlags.SERIALISING;

    private final BlockDriver driver;
    private final int align;
    private final int bufferAlign;
    private final long maxChunk;
    private final AtomicLong length;

    AlignedIo(BlockDriver driver, Limits limits, long initialLength) {
        this.driver = driver;
        this.align = limits.requestAlignment();
        this.bufferAlign = Math.max(limits.optMemAlignment(), limits.memAlignment());
        long max = limits.maxTransfer() <= 0 ? Long.MAX_VALUE : AlignMath.down(limits.maxTransfer(), align);
        this.maxChunk = Math.max(max, align);
        this.length = new AtomicLong(initialLength);
    }

    int align() {
        return align;
    }

    long length() {
        return length.get();
    }

    void setLength(long value) {
        length.set(value);
    }

    /** Whether an aligned request of this size goes to the driver in one call (no splitting). */
    boolean fitsOneCall(long size) {
        return size <= maxChunk;
    }

    /** Where reads stop coming from the driver: the cached length rounded up to the alignment. */
    long readableEnd() {
        return AlignMath.up(length.get(), align);
    }

    void raiseLength(long end) {
        length.accumulateAndGet(end, Math::max);
    }

    /** An aligned buffer of the given size for bouncing. */
    ByteBuffer buffer(long size) {
        return AlignedBuffers.allocate(Math.toIntExact(size), bufferAlign);
    }

    private static int chunkFlags(int flags, boolean last) {
        int f = flags & ~LAYER_ONLY;
        return last ? f : f & ~RequestFlags.FUA;
    }

    /** Reads aligned [offset, offset + v.size()); what lies past the (aligned-up) EOF reads as zeroes. */
    void read(RequestContext ctx, long offset, IoVector v, int flags) throws BlockException {
        long size = v.size();
        long eof = length.get();
        long readable = offset >= eof ? 0 : Math.min(size, AlignMath.up(eof, align) - offset);
        if (readable < size) {
            v.zero(readable, size - readable);
        }
        for (long pos = 0; pos < readable; ) {
            long n = Math.min(maxChunk, readable - pos);
            driver.read(ctx, offset + pos, v.slice(pos, n), flags & ~LAYER_ONLY);
            pos += n;
        }
    }

    /** Writes aligned [offset, offset + v.size()), FUA only on the last chunk. */
    void write(RequestContext ctx, long offset, IoVector v, int flags) throws BlockException {
        long size = v.size();
        for (long pos = 0; pos < size; ) {
            long n = Math.min(maxChunk, size - pos);
            driver.write(ctx, offset + pos, v.slice(pos, n), chunkFlags(flags, pos + n == size));
            pos += n;
            raiseLength(offset + pos);
        }
    }

    /**
     * Frames qiov with scratch space so it covers the aligned range [alignedStart, alignedEnd): an
     * unaligned read reads whole blocks and only the caller's part lands in the caller's buffers.
     */
    IoVector padForRead(long offset, IoVector qiov, long alignedStart, long alignedEnd) {
        int head = (int) (offset - alignedStart);
        int tail = (int) (alignedEnd - offset - qiov.size());
        ByteBuffer scratch = buffer(head > 0 && tail > 0 && alignedEnd - alignedStart > align ? 2L * align : align);
        IoVector v = qiov;
        if (head > 0) {
            v = IoVector.of(scratch.slice(0, head)).concat(v);
        }
        if (tail > 0) {
            v = v.concat(IoVector.of(scratch.slice(scratch.remaining() - tail, tail)));
        }
        return v;
    }

    /**
     * Turns an unaligned write of qiov at offset into the vector for the aligned range
     * [alignedStart, alignedEnd): the caller's bytes framed by the old head and tail bytes.
     */
    IoVector padForWrite(RequestContext ctx, long offset, IoVector qiov, long alignedStart, long alignedEnd)
            throws BlockException {
        long end = offset + qiov.size();
        int head = (int) (offset - alignedStart);
        int tail = (int) (alignedEnd - end);
        IoVector v = qiov;
        if (alignedEnd - alignedStart == align) {
            // Head and tail share the one block: read it once.
            ByteBuffer block = readBlock(ctx, alignedStart);
            if (head > 0) {
                v = IoVector.of(block.slice(0, head)).concat(v);
            }
            if (tail > 0) {
                v = v.concat(IoVector.of(block.slice(align - tail, tail)));
            }
            return v;
        }
        if (head > 0) {
            v = IoVector.of(readBlock(ctx, alignedStart).slice(0, head)).concat(v);
        }
        if (tail > 0) {
            v = v.concat(IoVector.of(readBlock(ctx, alignedEnd - align).slice(align - tail, tail)));
        }
        return v;
    }

    private ByteBuffer readBlock(RequestContext ctx, long blockStart) throws BlockException {
        ByteBuffer block = buffer(align);
        read(ctx, blockStart, IoVector.of(block), 0);
        return block;
    }

    /** Zeroes [from, to) inside the single block that contains both, by read-modify-write. */
    void zeroInsideBlock(RequestContext ctx, long from, long to, int flags) throws BlockException {
        long blockStart = AlignMath.down(from, align);
        ByteBuffer block = readBlock(ctx, blockStart);
        IoVector v = IoVector.of(block);
        v.zero(from - blockStart, to - from);
        write(ctx, blockStart, v, flags & RequestFlags.FUA);
    }

    /**
     * Zeroes aligned [offset, offset + bytes) with the driver's write-zeroes, split at the preferred
     * write-zeroes alignment; falls back to writing zeroed buffers on ENOTSUP unless NO_FALLBACK.
     */
    void writeZeroes(RequestContext ctx, long offset, long bytes, int flags, int zeroAlignment)
            throws BlockException {
        long granule = Math.max(align, zeroAlignment);
        long maxZero = Math.max(granule, AlignMath.down(MAX_ZERO_CHUNK, granule));
        long end = offset + bytes;
        boolean fallback = false;
        ByteBuffer zeroes = null;
        for (long pos = offset; pos < end; ) {
            long n;
            if (!AlignMath.aligned(pos, granule)) {
                n = Math.min(AlignMath.up(pos, granule), end) - pos; // head up to the first granule
            } else {
                n = Math.min(maxZero, end - pos);
                if (n > granule) {
                    n = AlignMath.down(n, granule); // keep whole granules; a partial tail goes alone
                }
            }
            boolean last = pos + n == end;
            if (!fallback) {
                try {
                    driver.writeZeroes(ctx, pos, n, chunkFlags(flags, last));
                    raiseLength(pos + n);
                    pos += n;
                    continue;
                } catch (BlockException e) {
                    if (e.errno().code != Errno.ENOTSUP.code || RequestFlags.has(flags, RequestFlags.NO_FALLBACK)) {
                        throw e;
                    }
                    fallback = true;
                }
            }
            if (zeroes == null) {
                long chunk = Math.max(align, AlignMath.down(Math.min(FALLBACK_CHUNK, maxChunk), align));
                zeroes = buffer(Math.min(chunk, bytes));
            }
            writeZeroBuffers(ctx, pos, n, zeroes, last ? flags & RequestFlags.FUA : 0);
            pos += n;
        }
    }

    private void writeZeroBuffers(RequestContext ctx, long offset, long bytes, ByteBuffer zeroes, int flags)
            throws BlockException {
        for (long pos = 0; pos < bytes; ) {
            int n = (int) Math.min(zeroes.remaining(), bytes - pos);
            driver.write(ctx, offset + pos, IoVector.of(zeroes.slice(0, n)), chunkFlags(flags, pos + n == bytes));
            pos += n;
            raiseLength(offset + pos);
        }
    }

    /** Discards aligned [offset, offset + bytes) in chunks; ENOTSUP means the driver cannot, which is fine. */
    void discard(RequestContext ctx, long offset, long bytes, long granule) throws BlockException {
        long maxDiscard = Math.max(granule, AlignMath.down(MAX_ZERO_CHUNK, granule));
        for (long pos = 0; pos < bytes; ) {
            long n = Math.min(maxDiscard, bytes - pos);
            try {
                driver.discard(ctx, offset + pos, n);
            } catch (BlockException e) {
                if (e.errno().code == Errno.ENOTSUP.code) {
                    return;
                }
                throw e;
            }
            pos += n;
        }
    }
}
