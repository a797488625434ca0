package io.jqcow.posix;

import io.jqcow.block.BlockException;
import java.nio.ByteBuffer;

/**
 * The syscalls file-posix makes on one open file descriptor. The real implementation calls the
 * kernel; decorators route reads and writes through linux-aio, inject faults, or simulate a kernel
 * bug (the pre-5.5 XFS fallocate race). Buffers handed in are direct and already satisfy the
 * O_DIRECT rules when the file is opened O_DIRECT; implementations must not bounce.
 */
public interface HostFile extends AutoCloseable {

    /** fallocate mode bits (linux/falloc.h). */
    int FALLOC_FL_KEEP_SIZE = 0x01;
    int FALLOC_FL_PUNCH_HOLE = 0x02;
    int FALLOC_FL_ZERO_RANGE = 0x10;

    String path();

    int fd();

    boolean isBlockDevice();

    /** Reads into the buffers' remaining bytes; returns bytes read (short only at EOF). */
    long preadv(ByteBuffer[] buffers, long offset) throws BlockException;

    /** Writes all buffers' remaining bytes; a short write that makes no progress is ENOSPC. */
    long pwritev(ByteBuffer[] buffers, long offset) throws BlockException;

    /**
     * The end of an async preadv/pwritev: bytes transferred (a read is short only at EOF) or the
     * error, exactly once, on any thread (linux-aio calls it on its reaper thread), without blocking.
     */
    @FunctionalInterface
    interface IoDone {
        void done(long bytes, BlockException failure);
    }

    /**
     * Whether {@link #preadvAsync}/{@link #pwritevAsync} really run without blocking the caller.
     * False by default: the default async methods just call preadv/pwritev and complete at once.
     */
    default boolean supportsAsync() {
        return false;
    }

    /**
     * Starts a preadv; {@code done} gets its result. Throws (and never calls {@code done}) when the
     * request could not even be started, e.g. the engine is closed. The buffers belong to the
     * kernel until {@code done} runs.
     */
    default void preadvAsync(ByteBuffer[] buffers, long offset, IoDone done) throws BlockException {
        long n;
        try {
            n = preadv(buffers, offset);
        } catch (BlockException e) {
            done.done(-1, e);
            return;
        }
        done.done(n, null);
    }

    /** Starts a pwritev (short-write rules as {@link #pwritev}); otherwise as {@link #preadvAsync}. */
    default void pwritevAsync(ByteBuffer[] buffers, long offset, IoDone done) throws BlockException {
        long n;
        try {
            n = pwritev(buffers, offset);
        } catch (BlockException e) {
            done.done(-1, e);
            return;
        }
        done.done(n, null);
    }

    /** fallocate(2); EOPNOTSUPP, ENOSYS, ENODEV and ENOTTY come back as ENOTSUP. */
    void fallocate(int mode, long offset, long length) throws BlockException;

    void ftruncate(long length) throws BlockException;

    /** File size (fstat) or device size (BLKGETSIZE64). */
    long size() throws BlockException;

    /** fdatasync when {@code dataOnly}, else fsync. */
    void sync(boolean dataOnly) throws BlockException;

    /** lseek SEEK_DATA; -1 when there is no data at or after offset (ENXIO). */
    long seekData(long offset) throws BlockException;

    /** lseek SEEK_HOLE. */
    long seekHole(long offset) throws BlockException;

    @Override
    void close() throws BlockException;
}
