package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Random damage (stored refcounts, L1 and L2 entry bits) on a small image with a snapshot and
 * compressed data, checked and repaired by both qemu-img and the engine: counters, exit code,
 * stderr lines and the repaired bytes must all agree.
 *
 * <p>Seeded, so CI is repeatable: images {@code jqcow.check.fuzz.seed} (default 20261122) onwards,
 * {@code jqcow.check.fuzz.images} of them (default 12). To explore, run it with another seed and
 * more images, e.g. {@code -Djqcow.check.fuzz.seed=$RANDOM -Djqcow.check.fuzz.images=500}; a
 * mismatch names its seed, and a found case belongs in CheckScenarios (as l1-into-snapshot-table).
 */
class Qcow2CheckFuzzTest {

    @Test
    void randomDamageMatchesQemuImg() throws Exception {
        Qemu.assumePresent();
        long base = Long.getLong("jqcow.check.fuzz.seed", 20261122L);
        int images = Integer.getInteger("jqcow.check.fuzz.images", 12);
        for (int i = 0; i < images; i++) {
            long seed = base + i;
            try {
                damagedImageMatches(seed, 1 + (int) Math.floorMod(seed * 31, 3));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void damagedImageMatches(long seed, int damages) throws Exception {
        Path dir = Files.createTempDirectory("jqcow-fuzz");
        try {
            Path img = CheckScenarios.create(dir, "4M", "cluster_size=4096");
            Qemu.io(img, "write -P 1 0 100k", "write -c -P 2 1M 64k");
            Qemu.img("snapshot", "-c", "s", img.toString());
            Qemu.io(img, "write -P 3 0 8k");
            damage(img, new Random(seed), damages);
            for (CheckMode mode : List.of(CheckMode.NONE, CheckMode.ALL)) {
                compare(img, mode, dir);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void damage(Path img, Random r, int n) throws Exception {
        try (ImageDamage d = new ImageDamage(img)) {
            long fileClusters = Files.size(img) >>> d.clusterBits;
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(3)) {
                    case 0 -> d.setRefcount(r.nextInt((int) fileClusters + 2), r.nextInt(4));
                    case 1 -> {
                        int j = r.nextInt(32);
                        int bit = pick(r, 63, 62, 0, 9, 12, 13, 56);
                        long l2 = d.l1Entry(0) & 0x00FFFFFFFFFFFE00L;
                        // an earlier L1 flip may point the table anywhere: only damage an L2 table inside the file
                        if (l2 != 0 && l2 + d.clusterSize() <= Files.size(img)) {
                            d.setL2Entry(0, j, d.l2Entry(0, j) ^ (1L << bit));
                        }
                    }
                    default -> d.setL1Entry(0, d.l1Entry(0) ^ (1L << pick(r, 63, 12, 13, 57, 1)));
                }
            }
        }
    }

    private static int pick(Random r, int... bits) {
        return r.nextInt(4) == 0 ? r.nextInt(64) : bits[r.nextInt(bits.length)];
    }

    private static void compare(Path img, CheckMode mode, Path dir) throws Exception {
        Path theirs = dir.resolve("q-" + mode + ".qcow2");
        Path ours = dir.resolve("j-" + mode + ".qcow2");
        Files.copy(img, theirs);
        Files.copy(img, ours);
        QemuCheckRun expected = QemuCheckRun.run(theirs, mode == CheckMode.ALL ? new String[] {"-r", "all"} : new String[0]);
        List<String> log = new ArrayList<>();
        int exit;
        CheckResult result = null;
        try (FileImageNode node = new FileImageNode(ours, mode == CheckMode.NONE)) {
            try {
                result = new Qcow2Check(node).checkAndVerify(mode, QemuCheckRun.recorder(log), null).result();
                exit = result.exitCode();
            } catch (CheckFailedException e) {
                exit = 1;
            }
        }
        assertEquals(expected.exit(), exit, "exit, " + mode + " QEMU=" + expected.stderr() + " " + expected.counters() + " OURS=" + log);
        assertEquals(expected.engineLines(), log, mode.toString());
        if (result != null) {
            assertEquals(expected.counters(), QemuCheckRun.countersOf(result), mode.toString());
        }
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), "image after " + mode);
    }
}
