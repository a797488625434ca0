package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;

/**
 * write-zeroes (v3 zero flags, optional unmap) and discard. Whole clusters (or, with extended L2,
 * whole subclusters) change their L2 entries; partial pieces are written as real zeroes unless they
 * already read as zero.
 */
final class ZeroAndDiscard {
    private final Qcow2State s;
    private final Geometry g;
    private final ClusterMapper mapper;
    private final L2Tables tables;
    private final Qcow2Writer writer;

    ZeroAndDiscard(Qcow2State s, ClusterMapper mapper, L2Tables tables, Qcow2Writer writer) {
        this.s = s;
        this.g = s.geometry();
        this.mapper = mapper;
        this.tables = tables;
        this.writer = writer;
    }

    void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        if ((s.header().autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0) {
            // The data file must stay a valid raw image: real zeroes there, mapping unchanged (1:1).
            s.dataFile.writeZeroes(offset, bytes, flags);
            return;
        }
        long unit = g.subclusterSize();
        long end = offset + bytes;
        long alignedStart = Math.min(end, (offset + unit - 1) / unit * unit);
        long alignedEnd = Math.max(alignedStart, end / unit * unit);
        if (s.header().version() < 3) {
            if (!readsZero(offset, bytes)) {
                throw new BlockException(Errno.ENOTSUP, offset, "qcow2 v2 has no zero clusters");
            }
            return;
        }
        boolean headDone = alignedStart == offset || readsZero(offset, alignedStart - offset);
        boolean tailDone = alignedEnd == end || readsZero(alignedEnd, end - alignedEnd);
        if ((!headDone || !tailDone) && RequestFlags.has(flags, RequestFlags.NO_FALLBACK)) {
            throw new BlockException(Errno.ENOTSUP, offset, "partial-cluster zeroing needs a data write");
        }
        if (!headDone) {
            zeroPartial(offset, alignedStart - offset);
        }
        if (!tailDone) {
            zeroPartial(alignedEnd, end - alignedEnd);
        }
        boolean unmap = RequestFlags.has(flags, RequestFlags.MAY_UNMAP);
        forEachUnitRange(alignedStart, alignedEnd, (cStart, from, to) -> zeroCluster(cStart, from, to, unmap));
    }

    void discard(long offset, long bytes) throws BlockException {
        long end = offset + bytes;
        long unit = g.clusterSize();
        long alignedStart = (offset + unit - 1) / unit * unit;
        long alignedEnd = end == s.header().size() ? g.alignUp(end) : end / unit * unit;
        if (alignedEnd <= alignedStart) {
            return;
        }
        forEachUnitRange(alignedStart, alignedEnd, (cStart, from, to) -> discardCluster(cStart));
    }

    private interface ClusterOp {
        void apply(long clusterStart, long from, long to) throws BlockException;
    }

    /** Runs op per cluster of [start, end) under the lock, waiting for in-flight allocations. */
    private void forEachUnitRange(long start, long end, ClusterOp op) throws BlockException {
        long p = start;
        s.lock.lock();
        try {
            while (p < end) {
                s.checkUsable();
                long cStart = p & ~g.clusterMask();
                if (s.inflight.busy(cStart >>> g.clusterBits())) {
                    s.allocationDone.awaitUninterruptibly();
                    continue;
                }
                long to = Math.min(end, cStart + g.clusterSize());
                op.apply(cStart, p - cStart, to - cStart);
                p = to;
            }
        } finally {
            s.lock.unlock();
        }
    }

    private void zeroCluster(long cStart, long from, long to, boolean unmap) throws BlockException {
        tables.ensureWritable(cStart);
        L2Entry old = mapper.entry(cStart);
        boolean whole = from == 0 && to == g.clusterSize();
        L2Entry.Type t = old.clusterType(g);
        L2Entry next;
        boolean drop;
        if (!g.extendedL2()) {
            boolean keepAlloc = !unmap && old.isCopied() && !old.isCompressed()
                    && (t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC) && s.dataFile == null;
            if (t == L2Entry.Type.ZERO_PLAIN || (t == L2Entry.Type.ZERO_ALLOC && keepAlloc)) {
                return;
            }
            next = keepAlloc ? new L2Entry(old.hostOffset() | L2Entry.COPIED | L2Entry.ZERO, 0)
                    : new L2Entry(L2Entry.ZERO, 0);
            drop = !keepAlloc;
        } else {
            long bits = writer.subclusterBits(from, to);
            boolean ownHost = t == L2Entry.Type.NORMAL && old.isCopied();
            if (whole && (unmap || !ownHost)) {
                next = new L2Entry(0, 0xFFFFFFFFL << 32);
                drop = true;
            } else if (ownHost) {
                next = new L2Entry(old.word(), (old.bitmap() & ~bits) | (bits << 32));
                drop = false;
            } else if (t == L2Entry.Type.UNALLOCATED_PLAIN) {
                next = new L2Entry(0, old.bitmap() | (bits << 32));
                drop = false;
            } else {
                // Partially zeroing a shared or compressed cluster: write real zeroes (allocates a copy).
                s.lock.unlock();
                try {
                    writer.write(cStart + from, IoVector.of(java.nio.ByteBuffer.allocate((int) (to - from))));
                } finally {
                    s.lock.lock();
                }
                return;
            }
        }
        mapper.setEntry(cStart, next);
        if (drop) {
            writer.dropOldReference(old);
        }
    }

    private void discardCluster(long cStart) throws BlockException {
        L2Entry old = mapper.entry(cStart);
        L2Entry.Type t = old.clusterType(g);
        boolean v3 = s.header().version() >= 3;
        boolean hasBacking = s.backingName() != null;
        if (!v3 && hasBacking) {
            return; // v2 cannot hide backing data; discard is advisory
        }
        if (t == L2Entry.Type.UNALLOCATED_PLAIN && !hasBacking && old.bitmap() == 0) {
            return; // already reads as zero and owns nothing
        }
        L2Entry next = !v3 ? L2Entry.UNALLOCATED
                : g.extendedL2() ? new L2Entry(0, 0xFFFFFFFFL << 32) : new L2Entry(L2Entry.ZERO, 0);
        if (old.equals(next)) {
            return;
        }
        if (mapper.l2TableFor(cStart) == 0 && !v3) {
            return;
        }
        tables.ensureWritable(cStart);
        old = mapper.entry(cStart);
        mapper.setEntry(cStart, next);
        writer.dropOldReference(old);
        if (s.dataFile != null && (t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC)) {
            s.dataFile.discard(old.hostOffset(), g.clusterSize());
        }
    }

    /** Unmaps everything in [offset, offset + bytes) (clusters past a shrunk end). */
    void discardForShrink(long offset, long bytes) throws BlockException {
        forEachUnitRange(offset, offset + bytes, (cStart, from, to) -> {
            if (mapper.l2TableFor(cStart) == 0 || mapper.entry(cStart).equals(L2Entry.UNALLOCATED)) {
                return;
            }
            tables.ensureWritable(cStart);
            L2Entry old = mapper.entry(cStart);
            mapper.setEntry(cStart, L2Entry.UNALLOCATED);
            writer.dropOldReference(old);
        });
    }

    private void zeroPartial(long offset, long len) throws BlockException {
        writer.write(offset, IoVector.of(java.nio.ByteBuffer.allocate((int) len)));
    }

    private boolean readsZero(long offset, long len) throws BlockException {
        long p = offset;
        while (p < offset + len) {
            L2Entry e;
            s.lock.lock();
            try {
                e = mapper.entry(p);
            } finally {
                s.lock.unlock();
            }
            long to = Math.min(offset + len, (p | g.clusterMask()) + 1);
            if (!AllocZeroDecision.readsZero(g, e, p, to, s.backing)) {
                return false;
            }
            p = to;
        }
        return true;
    }
}
