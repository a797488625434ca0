package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;

/**
 * Compares the stored refcount of every cluster with the IMRT. Too low is a corruption (and a stored 0
 * means the refcount structure must be rebuilt), too high a leak. Repairs only ever move a stored
 * refcount to the computed one, so a referenced cluster never drops to 0.
 */
final class RefcountComparison {
    boolean rebuildNeeded;
    long highestCluster;

    static RefcountComparison run(CheckImage img, CheckCounters res, CheckMode fix, ClusterCounts counts,
                                  StoredRefcounts stored) {
        RefcountComparison c = new RefcountComparison();
        for (long i = 0; i < counts.size(); i++) {
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
                c.highestCluster = i;
            }
            if (disk == computed) {
                continue;
            }
            boolean repair = false;
            if (disk == 0) {
                c.rebuildNeeded = true;
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
        return c;
    }
}
