package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Repairs stopped after every possible number of writes: whatever reached the file, no cluster that
 * the metadata references may have a stored refcount of 0 unless it already had one before the repair
 * (the worst a crash may leave is a leak or the original damage, never a new dangling reference).
 */
class RepairCrashSafetyTest {
    private static final Pattern REFCOUNT_ZERO = Pattern.compile("^ERROR cluster (\\d+) refcount=0 reference=\\d+$");

    @BeforeAll
    static void qemuPresent() {
        Qemu.assumePresent();
    }

    static Stream<CheckScenarios.Scenario> scenarios() {
        Set<String> names = Set.of("leaks", "refcount-zero", "refcount-too-low-shared", "copied-cleared",
                "l2-into-reftable", "unaligned-zero-alloc", "refblock-outside-image", "rebuild-into-hole", "dirty-lazy",
                "snapshot-entry-incomplete");
        return CheckScenarios.all().stream().filter(s -> names.contains(s.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyCrashPointKeepsReferencedClustersCounted(CheckScenarios.Scenario s, @TempDir Path dir) throws Exception {
        Path original = s.builder().build(dir);
        Set<Long> before = zeroRefcountClusters(original);
        before.addAll(refcountBlocksPastEof(original));
        int total;
        Path full = dir.resolve("full.qcow2");
        Files.copy(original, full);
        try (FileImageNode file = new FileImageNode(full, false)) {
            CrashAfterWritesNode node = new CrashAfterWritesNode(file, -1);
            new Qcow2Check(node).check(CheckMode.ALL, CheckLog.SILENT);
            total = node.modifications();
        }
        assertTrue(total > 0, "the repair wrote nothing");
        for (int n = 0; n < total; n++) {
            Path copy = dir.resolve("crash" + n + ".qcow2");
            Files.copy(original, copy);
            try (FileImageNode file = new FileImageNode(copy, false)) {
                try {
                    new Qcow2Check(new CrashAfterWritesNode(file, n)).check(CheckMode.ALL, CheckLog.SILENT);
                } catch (io.jqcow.block.BlockException expected) {
                    // the simulated crash
                }
            }
            Set<Long> after = zeroRefcountClusters(copy);
            after.removeAll(before);
            assertTrue(after.isEmpty(), "crash after " + n + " of " + total + " writes left referenced clusters "
                    + "with refcount 0: " + after);
            Files.delete(copy);
        }
    }

    /**
     * Refcount blocks the table names past the end of the file: growing the file (the first step of
     * that repair) makes them countable, so their refcount 0 is the original damage showing, not ours.
     */
    private static Set<Long> refcountBlocksPastEof(Path image) throws Exception {
        Set<Long> out = new TreeSet<>();
        try (ImageDamage d = new ImageDamage(image)) {
            long fileClusters = (Files.size(image) + d.clusterSize() - 1) >>> d.clusterBits;
            long entries = (Integer.toUnsignedLong(d.readInt(56)) << d.clusterBits) / 8;
            for (long i = 0; i < entries; i++) {
                long c = (d.readLong(d.reftableOffset + 8 * i) & ~0x1FFL) >>> d.clusterBits;
                if (c >= fileClusters) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Clusters the plain check reports as referenced but stored with refcount 0. */
    private static Set<Long> zeroRefcountClusters(Path image) throws Exception {
        List<String> log = new ArrayList<>();
        try (FileImageNode file = new FileImageNode(image, true)) {
            new Qcow2Check(file).check(CheckMode.NONE, log::add);
        }
        Set<Long> out = new TreeSet<>();
        for (String line : log) {
            Matcher m = REFCOUNT_ZERO.matcher(line);
            if (m.matches()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        return out;
    }
}
