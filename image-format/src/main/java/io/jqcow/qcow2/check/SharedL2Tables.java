package io.jqcow.qcow2.check;

import io.jqcow.qcow2.L2Entry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Lets a check walk an L2 table that internal snapshots share only once. qemu-img walks the table
 * again for every L1 table that references it, adding one reference to each cluster it maps per
 * walk. When the first walk of a table reports nothing, every later snapshot walk of it would add
 * exactly the same references and report nothing either, so the walk adds them all at once and the
 * snapshot walks skip the table: same counts, same output, a fraction of the reads.
 *
 * <p>Only where that equivalence is certain: with refcounts of at least 16 bits (so adding early
 * cannot move an overflow report), and never for the active L1 walk, whose statistics count every
 * visit. A table whose walk reported anything is walked again normally each time.
 */
final class SharedL2Tables {
    /** Below this maximum an overflow could be reported at a different point than qemu-img's. */
    private static final long MIN_REFCOUNT_MAX = 0xFFFF;

    private final Map<Long, Integer> snapshotRefs;
    private final Set<Long> done = new HashSet<>();

    private SharedL2Tables(Map<Long, Integer> snapshotRefs) {
        this.snapshotRefs = snapshotRefs;
    }

    /** Nothing shared: every walk reads every table (small refcounts, unreadable snapshot L1s). */
    static SharedL2Tables none() {
        return new SharedL2Tables(Map.of());
    }

    /**
     * @param snapshotL1s every snapshot L1 table the check will walk, as the walk will see it
     * @param refcountMax the largest refcount the image can store
     */
    static SharedL2Tables of(Iterable<long[]> snapshotL1s, long refcountMax) {
        if (refcountMax < MIN_REFCOUNT_MAX) {
            return none();
        }
        Map<Long, Integer> refs = new HashMap<>();
        for (long[] l1 : snapshotL1s) {
            for (long e : l1) {
                long l2 = e & L2Entry.L1_OFFSET_MASK;
                if (l2 != 0) {
                    refs.merge(l2, 1, Integer::sum);
                }
            }
        }
        return new SharedL2Tables(refs);
    }

    /** Whether a snapshot walk may skip this table: an earlier walk already added its references. */
    boolean skip(long l2Offset, boolean activeWalk) {
        return !activeWalk && done.contains(l2Offset);
    }

    /**
     * The references still to come from snapshot walks once the current walk of the table is done,
     * which the current walk may add ahead of time: all snapshot references after an active walk,
     * one fewer after a snapshot walk; 0 once they were added.
     */
    long pendingReferences(long l2Offset, boolean activeWalk) {
        if (done.contains(l2Offset)) {
            return 0; // already added (the active L1 referenced the table twice)
        }
        int refs = snapshotRefs.getOrDefault(l2Offset, 0);
        return activeWalk ? refs : Math.max(0, refs - 1);
    }

    /** Records that the table's snapshot references are all counted. */
    void markCounted(long l2Offset) {
        done.add(l2Offset);
    }
}
