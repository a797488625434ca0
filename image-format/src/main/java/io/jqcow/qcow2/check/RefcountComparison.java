package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the stored refcount of every cluster with the IMRT. Too low is a corruption (and a stored 0
 * means the refcount structure must be rebuilt), too high a leak. Repairs only ever move a stored
 * refcount to the computed one, so a referenced cluster never drops to 0.
 */
final class RefcountComparison {
    /** Below this many clusters a second thread costs more than it saves. */
    static final long SPLIT_MIN_CLUSTERS = 1L << 16;

    boolean rebuildNeeded;
    long highestCluster;

    static RefcountComparison run(CheckImage img, CheckCounters res, CheckMode fix, ClusterCounts counts,
                                  StoredRefcounts stored) throws BlockException {
        long n = counts.size();
        if (fix == CheckMode.NONE && n >= SPLIT_MIN_CLUSTERS && stored.isClean()) {
            long blockMask = (1L << img.g.refblockBits()) - 1;
            long half = (n / 2) & ~blockMask; // each half reads whole refcount blocks of its own
            if (half > 0) {
                return runSplit(img, res, counts, stored, half);
            }
        }
        RefcountComparison c = new RefcountComparison();
        c.compare(img, res, fix, counts, stored, 0, n);
        return c;
    }

    /**
     * A comparison that repairs nothing, as two halves: [split, end) on a second thread with its own
     * refcount-block cache, its messages held back and replayed after those of [0, split), so the
     * lines, counts and results equal one pass in cluster order.
     */
    static RefcountComparison runSplit(CheckImage img, CheckCounters res, ClusterCounts counts,
                                       StoredRefcounts stored, long split) throws BlockException {
        List<String> laterLines = new ArrayList<>();
        CheckCounters laterCounts = new CheckCounters();
        RefcountComparison later = new RefcountComparison();
        CheckImage quiet = img.withLog(laterLines::add);
        StoredRefcounts ownCache = stored.withOwnCache();
        SideTask secondHalf = SideTask.start("jqcow-check-compare",
                () -> later.compare(quiet, laterCounts, CheckMode.NONE, counts, ownCache, split, counts.size()));
        RefcountComparison c = new RefcountComparison();
        c.compare(img, res, CheckMode.NONE, counts, stored, 0, split);
        secondHalf.join();
        laterLines.forEach(img.log::line);
        res.checkErrors += laterCounts.checkErrors;
        res.corruptions += laterCounts.corruptions;
        res.leaks += laterCounts.leaks;
        c.rebuildNeeded |= later.rebuildNeeded;
        if (later.highestCluster >= split) { // the second half saw a cluster in use (it starts at split > 0)
            c.highestCluster = later.highestCluster;
        }
        return c;
    }

    private void compare(CheckImage img, CheckCounters res, CheckMode fix, ClusterCounts counts,
                         StoredRefcounts stored, long from, long to) {
        for (long i = from; i < to; i++) {
            long disk;
            try {
                disk = stored.get(i);
            } catch (BlockException e) {
                img.log.line("Can't get refcount for cluster " + i + ": " + e.errno().description());
                res.checkErrors++;
                continue;
            }
            long computed = counts.get(i);
            if (disk != 0 || computed != 0) {
                highestCluster = i;
            }
            if (disk == computed) {
                continue;
            }
            boolean repair = false;
            if (disk == 0) {
                rebuildNeeded = true;
            } else if (Long.compareUnsigned(disk, computed) > 0) {
                repair = fix.fixesLeaks();
            } else {
                repair = fix.fixesErrors();
            }
            String what = repair ? "Repairing" : Long.compareUnsigned(disk, computed) < 0 ? "ERROR" : "Leaked";
            img.log.line(what + " cluster " + i + " refcount=" + Long.toUnsignedString(disk) + " reference=" + computed);
            if (repair) {
                try {
                    stored.set(i, computed);
                    if (computed == 0) {
                        // Like qemu-img, hand a freed cluster back to the file system at once
                        // (nothing references it; only its refcount change waits for the flush).
                        img.file.discard(img.g.offsetOf(i), img.clusterSize());
                    }
                    if (Long.compareUnsigned(disk, computed) > 0) {
                        res.leaksFixed++;
                    } else {
                        res.corruptionsFixed++;
                    }
                    continue;
                } catch (BlockException e) {
                    img.log.line("ERROR could not repair cluster " + i + ": " + e.errno().description());
                }
            }
            if (Long.compareUnsigned(disk, computed) < 0) {
                res.corruptions++;
            } else {
                res.leaks++;
            }
        }
    }
}
