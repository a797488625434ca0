package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the file-posix tests: external tools, /proc/locks, patterned buffers. */
final class TestSupport {
    private TestSupport() {
    }

    static boolean hasExecutable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", name)) || Files.isExecutable(Path.of("/sbin", name));
    }

    static void assumeTool(String name) {
        boolean ok = hasExecutable(name);
        if (!ok) {
            System.out.println("SKIP: " + name + " is not installed");
        }
        assumeTrue(ok, name + " is not installed");
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a command to completion; returns exit code and combined output. */
    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int exit, String output) {
    }

    /** The byte ranges of OFD locks on {@code file}'s inode listed in /proc/locks, as "start-end". */
    static List<String> ofdLocks(Path file) throws IOException {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            String[] f = line.trim().split("\\s+");
            // "1: OFDLCK ADVISORY READ -1 fe:00:2146450 203 203"
            if (f.length >= 8 && f[1].equals("OFDLCK") && f[5].endsWith(":" + inode)) {
                out.add(f[6] + "-" + f[7]);
            }
        }
        return out;
    }

    /** Expands "100-101" ranges to single bytes, sorted. */
    static List<Long> lockedBytes(List<String> ranges) {
        List<Long> out = new ArrayList<>();
        for (String r : ranges) {
            String[] se = r.split("-");
            for (long b = Long.parseLong(se[0]); b <= Long.parseLong(se[1]); b++) {
                out.add(b);
            }
        }
        out.sort(null);
        return out;
    }

    static byte[] pattern(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuffer direct(byte[] data, int alignment) {
        ByteBuffer b = AlignedBuffers.allocate(data.length, alignment);
        b.put(data).flip();
        return b;
    }

    static Path newFile(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** A directory on tmpfs (/dev/shm), where ZERO_RANGE is really missing; null when absent. */
    static Path tmpfsDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
            return null;
        }
        return Files.createTempDirectory(shm, "jqcow-posix-test");
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
