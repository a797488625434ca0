package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import java.nio.ByteBuffer;

/** Resizing with QEMU's raw-file rules and messages. */
final class Truncation {
    private static final int ZERO_CHUNK = 1 << 20;

    private final HostFile file;
    /** Granularity of the zero writes: satisfies O_DIRECT for any request alignment up to it. */
    private final int unit;

    Truncation(HostFile file, int requestAlignment) {
        this.file = file;
        this.unit = Math.max(4096, requestAlignment);
    }

    void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        if (length < 0) {
            throw BlockException.einval(length, "Invalid length " + length);
        }
        if (file.isBlockDevice()) {
            truncateDevice(length, exact, prealloc);
            return;
        }
        long current = file.size();
        switch (prealloc) {
            case OFF -> file.ftruncate(length);
            case METADATA -> throw new BlockException(Errno.ENOTSUP, length,
                    "Unsupported preallocation mode: metadata");
            case FALLOC -> {
                if (length > current) {
                    try {
                        file.fallocate(0, current, length - current);
                    } catch (BlockException e) {
                        throw new BlockException(e.errno(), length,
                                "Could not preallocate new data: " + e.errno().description(), e);
                    }
                } else {
                    file.ftruncate(length);
                }
            }
            case FULL -> {
                if (length > current) {
                    preallocateFull(current, length);
                } else {
                    file.ftruncate(length);
                }
            }
        }
    }

    /** Devices cannot change size: "resizing" is fine only to the size they already have. */
    private void truncateDevice(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        if (prealloc != PreallocMode.OFF) {
            throw new BlockException(Errno.ENOTSUP, length, "Preallocation mode '" + prealloc.qemuName()
                    + "' unsupported for this non-regular file");
        }
        long current = file.size();
        if (length != current && exact) {
            throw new BlockException(Errno.ENOTSUP, length, "Cannot resize device files");
        }
        if (length > current) {
            throw new BlockException(Errno.EINVAL, length, "Cannot grow device files");
        }
    }

    /**
     * Real zero data for preallocation=full (the point is that the blocks are written). Every write
     * is unit-aligned so O_DIRECT descriptors take it: the file is extended first (the partial unit
     * after the old end already shares an allocated block with the old data), whole units are
     * written, and a last unit that overshoots is cut back.
     */
    private void preallocateFull(long current, long length) throws BlockException {
        file.ftruncate(length);
        long from = roundUp(current);
        long to = roundUp(length);
        ByteBuffer zeroes = AlignedBuffers.allocate(ZERO_CHUNK, 4096);
        for (long pos = from; pos < to; ) {
            int len = (int) Math.min(ZERO_CHUNK, to - pos);
            try {
                file.pwritev(new ByteBuffer[] {zeroes.slice(0, len)}, pos);
            } catch (BlockException e) {
                throw new BlockException(e.errno(), pos, "Could not write zeros for preallocation: "
                        + e.errno().description(), e);
            }
            pos += len;
        }
        if (to > length) {
            file.ftruncate(length);
        }
        file.sync(true);
    }

    private long roundUp(long v) {
        return (v + unit - 1) / unit * unit;
    }
}
