package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Twin-image test of the check engine against qemu-img 7.2: each scenario's image is copied, one copy
 * checked (and repaired) by qemu-img, the other by Qcow2Check. Counters, exit code and the per-problem
 * stderr lines must match; after a successful repair qemu-img finds our copy clean, the guest data is
 * unchanged and the repaired files are byte-identical.
 */
class Qcow2CheckOracleTest {

    @BeforeAll
    static void qemuPresent() {
        Qemu.assumePresent();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CheckScenarios.Scenario s : CheckScenarios.all()) {
            for (CheckMode m : CheckMode.values()) {
                out.add(Arguments.of(s, m));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesQemuImg(CheckScenarios.Scenario scenario, CheckMode mode, @TempDir Path dir) throws Exception {
        Path original = scenario.builder().build(dir);
        Path theirs = dir.resolve("qemu.qcow2");
        Path ours = dir.resolve("jqcow.qcow2");
        Files.copy(original, theirs);
        Files.copy(original, ours);
        byte[] guestBefore = guestContents(original);

        if (scenario.qemuCannotRepair() && mode == CheckMode.ALL) {
            assertWeRepair(ours, guestBefore);
            return;
        }
        QemuCheckRun expected = QemuCheckRun.run(theirs, repairArgs(mode));
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
        assertEquals(expected.exit(), exit, "exit code; our log: " + log);
        List<String> theirLines = expected.engineLines();
        assertEquals(theirLines, log, "stderr lines");
        if (result != null) {
            assertEquals(expected.counters(), QemuCheckRun.countersOf(result));
        } else {
            assertTrue(expected.counters().isEmpty(), "qemu-img printed a result: " + expected.counters());
        }
        if (mode != CheckMode.NONE && expected.exit() == 0) {
            assertEquals(0, Qemu.check(ours).exit(), "qemu-img check of our repaired image: " + Qemu.check(ours).out());
            if (guestBefore != null) {
                assertArrayEquals(guestBefore, Qemu.rawContents(ours), "guest data after repair");
            }
            // qemu-img rewrites persistent bitmaps when it closes a writable image; that is not check's work.
            if (!scenario.name().equals("bitmaps")) {
                assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), "repaired files differ");
            }
        }
    }

    /** Where qemu-img's repair fails, ours must leave an image qemu-img finds clean, with the same data. */
    private static void assertWeRepair(Path ours, byte[] guestBefore) throws Exception {
        CheckResult r;
        try (FileImageNode node = new FileImageNode(ours, false)) {
            r = new Qcow2Check(node).checkAndVerify(CheckMode.ALL, CheckLog.SILENT, null).result();
        }
        assertEquals(0, r.exitCode(), "our repair: " + r);
        assertTrue(r.corruptionsFixed() > 0, "a corruption was fixed: " + r);
        Qemu.Result after = Qemu.check(ours);
        assertEquals(0, after.exit(), after.out());
        if (guestBefore != null) {
            assertArrayEquals(guestBefore, Qemu.rawContents(ours), "guest data after repair");
        }
    }

    /** Guest contents, or null when qemu-img itself cannot read the damaged image. */
    private static byte[] guestContents(Path image) throws Exception {
        Path raw = image.resolveSibling("guest.raw");
        Qemu.Result r = Qemu.run("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
        if (r.exit() != 0) {
            return null;
        }
        byte[] b = Files.readAllBytes(raw);
        Files.delete(raw);
        return b;
    }

    private static String[] repairArgs(CheckMode mode) {
        return switch (mode) {
            case NONE -> new String[0];
            case LEAKS -> new String[] {"-r", "leaks"};
            case ALL -> new String[] {"-r", "all"};
        };
    }
}
