package io.jqcow.tools.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.fixtures.Host;
import io.jqcow.fixtures.Processes;
import io.jqcow.fixtures.ProcessResult;
import io.jqcow.fixtures.QemuOracle;
import io.jqcow.image.Images;
import io.jqcow.tools.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jqcow io` and a running qemu-io refuse each other's writers, through the real CLI path. */
class IoLockInteropTest {
    @TempDir
    Path dir;

    @Test
    void jqcowWriterIsRefusedWhileQemuIoHoldsTheImage() throws Exception {
        Host.assumeQemu();
        Path img = dir.resolve("held.qcow2");
        QemuOracle.create("qcow2", img, "1M");
        byte[] before = Files.readAllBytes(img);
        Process holder = Processes.start("qemu-io", "-f", "qcow2", "-c", "sleep 5000", img.toString());
        try {
            awaitLocks(img);
            CliRun r = CliRun.runWith(Images::open, "", new ArrayList<>(), "io", "-c", "write 0 512", img.toString());
            assertEquals(1, r.exitCode(), r.out() + r.err());
            assertTrue(r.err().contains("Failed to get \"write\" lock"), r.err());
            CliRun ro = CliRun.runWith(Images::open, "", new ArrayList<>(), "io", "-r", "-U", "-c", "read 0 512",
                    img.toString());
            assertEquals(0, ro.exitCode(), ro.out() + ro.err());
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(img)), "the refused open wrote to the image");
    }

    @Test
    void qemuIoWriterIsRefusedWhileJqcowHoldsTheImage() throws Exception {
        Host.assumeQemu();
        Path img = dir.resolve("ours.qcow2");
        QemuOracle.create("qcow2", img, "1M");
        CompletableFuture<CliRun> ours = CompletableFuture.supplyAsync(() -> CliRun.runWith(Images::open, "",
                new ArrayList<>(), "io", "-c", "sleep 4000", img.toString()));
        awaitLocks(img);
        ProcessResult theirs = QemuOracle.io("qcow2", null, img, "write 0 512");
        assertEquals(1, theirs.exitCode(), "qemu-io wrote while jqcow held the image: " + theirs);
        // QEMU says "shared" when it meets our held write (while we still probe the format) and
        // plain "write" when it meets our refusal to share write (after the qcow2 locks are taken).
        assertTrue(theirs.stderr().matches("(?s).*Failed to get (shared )?\"write\" lock.*"), theirs.toString());
        assertEquals(0, ours.get(30, TimeUnit.SECONDS).exitCode());
    }

    /** Waits until some process holds OFD locks on the image's inode (seen in /proc/locks). */
    private static void awaitLocks(Path img) throws Exception {
        long ino = ((Number) Files.getAttribute(img, "unix:ino")).longValue();
        String needle = ":" + ino + " ";
        for (int i = 0; i < 200; i++) {
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                if (line.contains("OFDLCK") && line.contains(needle)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no OFD locks appeared on " + img);
    }
}
