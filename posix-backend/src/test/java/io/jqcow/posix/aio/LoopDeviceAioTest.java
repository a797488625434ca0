package io.jqcow.posix.aio;

import io.jqcow.posix.HostFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** linux-aio on a real block device with 4K logical sectors (a loop device); needs root. */
class LoopDeviceAioTest {

    @Test
    void queueDepth32RandomWritesOn4kLoopDevice(@TempDir Path dir) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.out.println("LoopDeviceAioTest skipped: needs root for losetup");
        }
        Assumptions.assumeTrue(root, "needs root for losetup");
        Path backing = dir.resolve("loop-backing.img");
        int blocks = 4096;
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength((long) blocks * RandomWriteVerify.BLOCK);
        }
        String dev;
        try {
            dev = run("losetup", "-b", "4096", "-f", "--show", backing.toString()).trim();
        } catch (IOException e) {
            System.out.println("LoopDeviceAioTest skipped: losetup failed: " + e.getMessage());
            Assumptions.abort("losetup failed: " + e.getMessage());
            return;
        }
        try {
            HostFile raw = TestFiles.hostFile(dev, TestFiles.openDirect(dev));
            try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, LinuxAioContext.DEFAULT_MAX_BATCH)) {
                RandomWriteVerify.run(aio, raw.fd(), blocks, 3000, 4096, false);
            }
        } finally {
            run("losetup", "-d", dev);
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out.trim());
        }
        return out;
    }

}
