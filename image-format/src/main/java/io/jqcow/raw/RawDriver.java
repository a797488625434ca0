package io.jqcow.raw;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoCompletion;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;

/**
 * The raw format: the child's bytes, optionally a window [offset, offset + size) of them. When the
 * format was only guessed by probing, writes to the first sector are refused so a guest cannot turn
 * the image into something that probes as another format.
 */
public final class RawDriver implements BlockDriver {
    private final BlockNode child;
    private final long offset;
    private final long size;
    private final boolean protectBlockZero;

    /**
     * @param size window size, or -1 for "to the end of the child"
     * @param protectBlockZero the format was probed: refuse writes touching bytes [0, 512)
     */
    public RawDriver(BlockNode child, long offset, long size, boolean protectBlockZero) throws BlockException {
        if (offset < 0 || (size >= 0 && offset + size > child.length())) {
            throw new BlockException(Errno.EINVAL, offset, "The sum of offset (" + offset + ") and size ("
                    + size + ") has to be smaller or equal to the actual size of the containing file ("
                    + child.length() + ")");
        }
        this.child = child;
        this.offset = offset;
        this.size = size;
        this.protectBlockZero = protectBlockZero;
    }

    public BlockNode child() {
        return child;
    }

    @Override
    public String name() {
        return child.name();
    }

    @Override
    public String formatName() {
        return "raw";
    }

    @Override
    public Limits limits() {
        return child.limits();
    }

    @Override
    public long length() throws BlockException {
        if (size >= 0) {
            return size;
        }
        // QEMU counts whole sectors: a 65,636-byte file is a 66,048-byte device whose tail reads as zeroes.
        return (Math.max(0, child.length() - offset) + 511) & ~511L;
    }

    @Override
    public boolean isReadOnly() {
        return child.isReadOnly();
    }

    @Override
    public void read(RequestContext ctx, long off, IoVector qiov, int flags) throws BlockException {
        child.read(offset + off, qiov, flags);
    }

    @Override
    public void write(RequestContext ctx, long off, IoVector qiov, int flags) throws BlockException {
        check(off, qiov.size());
        child.write(offset + off, qiov, flags);
    }

    /** Forwards to the child's async API, which takes its own fast path when it can. */
    @Override
    public boolean tryReadAsync(RequestContext ctx, long off, IoVector qiov, int flags, IoCompletion done) {
        child.readAsync(offset + off, qiov, flags).whenComplete((v, e) -> done.done(e));
        return true;
    }

    @Override
    public boolean tryWriteAsync(RequestContext ctx, long off, IoVector qiov, int flags, IoCompletion done) {
        try {
            check(off, qiov.size());
        } catch (BlockException e) {
            return false; // the sync path reports it
        }
        child.writeAsync(offset + off, qiov, flags).whenComplete((v, e) -> done.done(e));
        return true;
    }

    @Override
    public void writeZeroes(RequestContext ctx, long off, long bytes, int flags) throws BlockException {
        check(off, bytes);
        child.writeZeroes(offset + off, bytes, flags);
    }

    @Override
    public void discard(RequestContext ctx, long off, long bytes) throws BlockException {
        check(off, bytes);
        child.discard(offset + off, bytes);
    }

    @Override
    public void flush() throws BlockException {
        child.flush();
    }

    @Override
    public void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc) throws BlockException {
        if (offset != 0 || size >= 0) {
            throw new BlockException(Errno.ENOTSUP, length, "Cannot resize a raw image with offset or size options");
        }
        child.truncate(length, exact, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long off, long bytes) throws BlockException {
        long at = offset + off;
        long childLength = child.length();
        if (size < 0 && at >= childLength) {
            // the sector-rounded tail past the file's end reads as zeroes
            return new BlockStatus(off, bytes, false, true, true, at, child);
        }
        BlockStatus st = child.blockStatus(at, size < 0 ? Math.min(bytes, childLength - at) : bytes);
        long host = st.hasHostOffset() ? st.hostOffset() : offset + off;
        return new BlockStatus(off, st.length(), st.data(), st.zero(), true, host, child);
    }

    @Override
    public boolean allocZeroWritesAllowed() {
        return child.driver() == null || child.driver().allocZeroWritesAllowed();
    }

    @Override
    public void close() throws BlockException {
        child.close();
    }

    private void check(long off, long bytes) throws BlockException {
        if (protectBlockZero && off < 512 && bytes > 0) {
            throw new BlockException(Errno.EPERM, off, "write to block 0 of a probed raw image is refused "
                    + "(specify the 'raw' format explicitly)");
        }
    }
}
