package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two-thread comparison must be indistinguishable from one pass in cluster order: on every
 * corruption scenario (leaks, refcount 0, too-low counts, missing and unreadable refcount blocks),
 * split at every interesting point, the lines, counters, highest cluster and rebuild verdict equal
 * the single pass's.
 */
class RefcountComparisonSplitTest {

    @BeforeAll
    static void qemuPresent() {
        Qemu.assumePresent(); // the scenarios are built with qemu-img
    }

    static List<CheckScenarios.Scenario> scenarios() {
        return CheckScenarios.all();
    }

    private record Outcome(List<String> lines, long checkErrors, long corruptions, long leaks, long highest,
                           boolean rebuild) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void splitEqualsOnePass(CheckScenarios.Scenario scenario, @TempDir Path dir) throws Exception {
        Path image = scenario.builder().build(dir);
        try (FileImageNode node = new FileImageNode(image, true)) {
            Qcow2Check check = new Qcow2Check(node);
            CheckImage img;
            ReferenceWalk walk;
            try {
                img = check.load(CheckLog.SILENT);
                CheckCounters walkCounts = new CheckCounters();
                CheckSnapshots snaps = CheckSnapshots.read(node, img.header, walkCounts, CheckLog.SILENT,
                        CheckMode.NONE);
                walk = new ReferenceWalk(img, walkCounts, CheckMode.NONE);
                walk.run(snaps);
            } catch (io.jqcow.block.BlockException stopsEarlier) {
                return; // header and snapshot-table scenarios end before the comparison
            }
            long n = walk.counts.size();

            Outcome onePass = compare(img, walk.counts, -1);
            TreeSet<Long> splits = new TreeSet<>(List.of(1L, n / 2, Math.max(1, n - 1)));
            for (String line : onePass.lines()) {
                // right before, at and after every reported cluster
                String[] w = line.split(" ");
                for (int i = 0; i + 1 < w.length; i++) {
                    if (w[i].equals("cluster")) {
                        long c = Long.parseLong(w[i + 1].replace(":", ""));
                        splits.addAll(List.of(c, c + 1));
                    }
                }
            }
            splits.add(onePass.highest());
            splits.add(onePass.highest() + 1);
            for (long split : splits) {
                if (split > 0 && split < n) {
                    assertEquals(onePass, compare(img, walk.counts, split), scenario.name() + " split at " + split);
                }
            }
        }
    }

    /** One comparison (split < 0: the single pass) with fresh counters and its own stored refcounts. */
    private static Outcome compare(CheckImage base, ClusterCounts counts, long split) throws Exception {
        List<String> lines = new ArrayList<>();
        CheckImage img = base.withLog(lines::add);
        CheckCounters res = new CheckCounters();
        StoredRefcounts stored = img.storedRefcounts();
        RefcountComparison c;
        if (split < 0) {
            CheckMode none = CheckMode.NONE;
            // below the threshold run() takes the single pass, which is the reference here
            c = counts.size() < RefcountComparison.SPLIT_MIN_CLUSTERS
                    ? RefcountComparison.run(img, res, none, counts, stored)
                    : RefcountComparison.runSplit(img, res, counts, stored, counts.size());
        } else {
            c = RefcountComparison.runSplit(img, res, counts, stored, split);
        }
        return new Outcome(lines, res.checkErrors, res.corruptions, res.leaks, c.highestCluster, c.rebuildNeeded);
    }
}
