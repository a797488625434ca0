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
