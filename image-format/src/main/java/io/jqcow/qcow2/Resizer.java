package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;

/** Changes the virtual size: grows L1 as needed; shrinking drops the clusters past the new end. */
final class Resizer {
    private final Qcow2State s;
    private final L2Tables tables;
    private final ZeroAndDiscard zeroes;

    Resizer(Qcow2State s, L2Tables tables, ZeroAndDiscard zeroes) {
        this.s = s;
        this.tables = tables;
        this.zeroes = zeroes;
    }

    void resize(long length, PreallocMode prealloc) throws BlockException {
        if (length < 0) {
            throw new BlockException(Errno.EINVAL, length, "Invalid image size");
        }
        if (prealloc != PreallocMode.OFF) {
            throw new BlockException(Errno.ENOTSUP, length, "qcow2 resize supports preallocation=off only");
        }
        Qcow2Header h = s.header();
        if (h.nbSnapshots() != 0 && h.version() < 3) {
            throw new BlockException(Errno.ENOTSUP, length, "Can't resize a v2 image which has snapshots");
        }
        Geometry g = s.geometry();
        long old = h.size();
        if (length < old) {
            long from = g.alignUp(length);
            if (from < old) {
                zeroes.discardForShrink(from, old - from);
            }
            s.lock.lock();
            try {
                s.flushMetadata();
                s.setSize(length);
            } finally {
                s.lock.unlock();
            }
            return;
        }
        s.lock.lock();
        try {
            long need = g.l1EntriesFor(length);
            if (need > Integer.MAX_VALUE) {
                throw new BlockException(Errno.EFBIG, length, "Image is too big");
            }
            if (need > s.l1().length) {
                tables.growL1(need);
            }
            s.flushMetadata();
            s.setSize(length);
        } finally {
            s.lock.unlock();
        }
    }
}
