package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Efficient zeroing and deallocation for one open file. Regular files climb a ladder of fallocate
 * modes, remembering each mode that answered ENOTSUP so later calls skip it:
 * ZERO_RANGE; else PUNCH_HOLE|KEEP_SIZE followed by a plain allocate of the same range (so the
 * range ends up allocated and reads zero); else, only when the range starts at or after EOF, a
 * plain allocate; else ENOTSUP for the caller's fallback. With MAY_UNMAP inside the file a bare
 * PUNCH_HOLE comes first (the range may end up deallocated). Block devices use the kernel's zero-out.
 */
final class ZeroWriter {
    private static final int ZERO_RANGE = HostFile.FALLOC_FL_ZERO_RANGE;
    private static final int PUNCH = HostFile.FALLOC_FL_PUNCH_HOLE | HostFile.FALLOC_FL_KEEP_SIZE;

    private final HostFile file;
    private final boolean serialisePostEofZeroWrites;
    private final AtomicBoolean zeroRangeWorks = new AtomicBoolean(true);
    private final AtomicBoolean punchWorks = new AtomicBoolean(true);
    private final AtomicBoolean allocateWorks = new AtomicBoolean(true);
    private final AtomicBoolean discardWorks = new AtomicBoolean(true);

    ZeroWriter(HostFile file, boolean serialisePostEofZeroWrites) {
        this.file = file;
        this.serialisePostEofZeroWrites = serialisePostEofZeroWrites;
    }

    void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
        if (bytes == 0) {
            return;
        }
        if (file.isBlockDevice()) {
            deviceZeroes(offset, bytes, flags);
            return;
        }
        boolean unmap = RequestFlags.has(flags, RequestFlags.MAY_UNMAP) && punchWorks.get();
        // The file size costs a statx: fetch it only for the steps that need it, not for the
        // common ZERO_RANGE case (one per allocating qcow2 write).
        long size = serialisePostEofZeroWrites || unmap ? file.size() : -1;
        if (serialisePostEofZeroWrites && offset + bytes > size) {
            // Pre-5.5 XFS could lose data when fallocate past EOF raced other I/O: keep it alone.
            ctx.widenTo(Long.MAX_VALUE);
            ctx.serialise();
            ctx.waitForConflicts();
            size = file.size();
        }
        if (unmap && offset < size && attempt(PUNCH, offset, Math.min(bytes, size - offset), punchWorks)) {
            // The caller allows deallocation: a hole reads as zeroes and frees the space.
            if (offset + bytes > size) {
                file.ftruncate(offset + bytes);
            }
            return;
        }
        if (zeroRangeWorks.get() && attempt(ZERO_RANGE, offset, bytes, zeroRangeWorks)) {
            return;
        }
        if (size < 0) {
            size = file.size();
        }
        if (punchWorks.get() && attempt(PUNCH, offset, bytes, punchWorks)) {
            if (allocateWorks.get() && attempt(0, offset, bytes, allocateWorks)) {
                return;
            }
            if (offset + bytes > size) {
                file.ftruncate(offset + bytes); // the hole is zero; only the length is missing
            }
            return;
        }
        if (offset >= size && allocateWorks.get() && attempt(0, offset, bytes, allocateWorks)) {
            return;
        }
        throw BlockException.enotsup(offset, "Efficient write-zeroes is not supported on '" + file.path() + "'");
    }

    /** True when the call worked, false (and {@code works} cleared) on ENOTSUP; other errors throw. */
    private boolean attempt(int mode, long offset, long bytes, AtomicBoolean works) throws BlockException {
        try {
            file.fallocate(mode, offset, bytes);
            return true;
        } catch (BlockException e) {
            if (e.errno() != Errno.ENOTSUP) {
                throw e;
            }
            works.set(false);
            return false;
        }
    }

    /**
     * The block-device zero-out. With NO_FALLBACK the kernel's PUNCH_HOLE on a device (zero-out that
     * refuses to write zero buffers) is the only acceptable path; otherwise BLKZEROOUT, which the
     * kernel completes even when the device has no write-zeroes command.
     */
    private void deviceZeroes(long offset, long bytes, int flags) throws BlockException {
        if (RequestFlags.has(flags, RequestFlags.NO_FALLBACK)) {
            if (punchWorks.get() && attempt(PUNCH, offset, bytes, punchWorks)) {
                return;
            }
            throw BlockException.enotsup(offset, "Efficient write-zeroes is not supported on '" + file.path() + "'");
        }
        try {
            Syscalls.ioctlRange(file.fd(), Syscalls.BLKZEROOUT, offset, bytes);
        } catch (PosixError e) {
            if (e.isUnsupported() || e.kind() == Errno.EINVAL) {
                throw BlockException.enotsup(offset, "BLKZEROOUT is not supported on '" + file.path() + "'");
            }
            throw e.toBlockWithReason(offset, "Could not zero '" + file.path() + "'");
        }
    }

    /** Deallocation is advisory: ENOTSUP is remembered and ignored. */
    void discard(long offset, long bytes) throws BlockException {
        if (bytes == 0 || !discardWorks.get()) {
            return;
        }
        if (!file.isBlockDevice()) {
            attempt(PUNCH, offset, bytes, discardWorks);
            return;
        }
        try {
            Syscalls.ioctlRange(file.fd(), Syscalls.BLKDISCARD, offset, bytes);
        } catch (PosixError e) {
            if (e.isUnsupported()) {
                discardWorks.set(false);
                return;
            }
            throw e.toBlockWithReason(offset, "Could not discard on '" + file.path() + "'");
        }
    }

    /** Which fallocate modes have not (yet) answered ENOTSUP on this file. */
    boolean zeroRangeWorks() {
        return zeroRangeWorks.get();
    }

    boolean punchWorks() {
        return punchWorks.get();
    }

    boolean allocateWorks() {
        return allocateWorks.get();
    }
}
