package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;

/**
 * Decides whether a new allocation may skip writing COW padding: when every byte around the guest
 * data already reads as zero, one efficient write-zeroes over the new clusters does the job
 * (QEMU's handle_alloc_space).
 */
final class AllocZeroDecision {
    private AllocZeroDecision() {
    }

    /** True when guest range [from, to) of the cluster with old entry e reads as zero. */
    static boolean readsZero(Geometry g, L2Entry e, long from, long to, BlockNode backing) throws BlockException {
        long unit = g.subclusterSize();
        for (long p = from; p < to; ) {
            long end = Math.min(to, (p | (unit - 1)) + 1);
            int sc = (int) ((p & g.clusterMask()) / unit);
            L2Entry.Type t = e.subclusterType(g, sc);
            if (t.readsZero()) {
                p = end;
                continue;
            }
            if (!t.unallocated() || !backingReadsZero(backing, p, end)) {
                return false;
            }
            p = end;
        }
        return true;
    }

    private static boolean backingReadsZero(BlockNode backing, long from, long to) throws BlockException {
        if (backing == null) {
            return true;
        }
        long blen = backing.length();
        long p = from;
        while (p < Math.min(to, blen)) {
            BlockStatus st = backing.blockStatus(p, Math.min(to, blen) - p);
            if (!st.zero()) {
                return false;
            }
            p += st.length();
        }
        return true;
    }
}
