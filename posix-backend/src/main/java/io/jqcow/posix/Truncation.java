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

    Truncation(HostFile file) {
        this.file = file;
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
                    writeZeroBytes(current, length);
                    file.sync(true);
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

    /** Real zero data for preallocation=full (the point is that the blocks are written). */
    private void writeZeroBytes(long from, long to) throws BlockException {
        ByteBuffer zeroes = AlignedBuffers.allocate(ZERO_CHUNK, 4096);
        long pos = from;
        while (pos < to) {
            int len = (int) Math.min(ZERO_CHUNK, to - pos);
            try {
                file.pwritev(new ByteBuffer[] {zeroes.slice(0, len)}, pos);
            } catch (BlockException e) {
                throw new BlockException(e.errno(), pos, "Could not write zeros for preallocation: "
                        + e.errno().description(), e);
            }
            pos += len;
        }
    }
}
