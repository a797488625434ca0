package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;

/** Changes the virtual size: grows L1 as needed; shrinking drops the clusters past the new end. */
final class Resizer {
    private final Qcow2State s;
    private final L2Tables tables;
    private final ZeroAndDiscard zeroes;
    private final Qcow2Writer writer;

    Resizer(Qcow2State s, L2Tables tables, ZeroAndDiscard zeroes, Qcow2Writer writer) {
        this.s = s;
        this.tables = tables;
        this.zeroes = zeroes;
        this.writer = writer;
    }

    void resize(long length, PreallocMode prealloc) throws BlockException {
        if (length < 0) {
            throw new BlockException(Errno.EINVAL, length, "Invalid image size");
        }
        Qcow2Header h = s.header();
        if (prealloc != PreallocMode.OFF && length < h.size()) {
            throw new BlockException(Errno.ENOTSUP, length, "Preallocation can't be used for shrinking an image");
        }
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
        if (h.version() < 3 && s.backing != null && s.backing.length() > old) {
            throw new BlockException(Errno.ENOTSUP, length, "Failed to zero out new clusters: Operation not supported");
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
            if (prealloc != PreallocMode.OFF || (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0) {
                long from = s.backingName() != null ? g.alignUp(old) : old;
                Preallocator.mapClusters(s, new ClusterMapper(s), tables, from, length);
            }
            s.flushMetadata();
            PreallocMode fileMode = prealloc == PreallocMode.METADATA ? PreallocMode.OFF : prealloc;
            if (s.dataFile != null && (fileMode != PreallocMode.OFF
                    || (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0)) {
                s.dataFile.truncate(length, true, fileMode);
            } else if (s.dataFile == null && prealloc != PreallocMode.OFF) {
                long end = s.geometry().offsetOf(s.allocator().highestEnd());
                if (end > s.file.length()) {
                    s.file.truncate(end, true, fileMode);
                }
            }
            s.setSize(length);
        } finally {
            s.lock.unlock();
        }
        // A backing file longer than the old size must not show through the new area.
        if (s.backing != null && s.backing.length() > old) {
            long end = Math.min(length, s.backing.length());
            try {
                zeroes.writeZeroes(old, end - old, 0);
            } catch (BlockException e) {
                if (e.errno() != Errno.ENOTSUP) {
                    throw e;
                }
                for (long p = old; p < end; p += 1 << 20) {
                    int n = (int) Math.min(1 << 20, end - p);
                    writer.write(p, io.jqcow.block.IoVector.of(java.nio.ByteBuffer.allocate(n)));
                }
            }
        }
    }
}
