package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * convert -B against qemu-img: not only the same guest contents but the same allocation (qemu-img
 * map without host offsets): data equal to the backing file is still written, zeroes become zero
 * clusters where the backing file reaches and stay unallocated beyond its end.
 */
class ConvertBackingInteropTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void images() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img is not installed");
        byte[] base = new byte[2 << 20];
        new Random(7).nextBytes(base);
        java.util.Arrays.fill(base, 640 << 10, 768 << 10, (byte) 0); // a zero area inside the backing file
        Files.write(dir.resolve("base.raw"), base);
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "base.raw", "base.qcow2");
        byte[] src = base.clone();
        java.util.Arrays.fill(src, 0, 64 << 10, (byte) 0);  // zero data over backing data
        src[100_000] = 'X';                                   // one changed cluster
        Files.write(dir.resolve("same.raw"), src);
        try (var ch = Files.newByteChannel(dir.resolve("hole.raw"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.position((4 << 20) - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));  // sparse 4 MiB of zeroes
        }
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "overlay.qcow2");
        run("qemu-io", "-c", "write -P 5 64k 64k", "-c", "write -z 1M 64k", "overlay.qcow2");
    }

    @ParameterizedTest(name = "convert {0}")
    @ValueSource(strings = {"-f raw same.raw", "-f raw hole.raw", "-f qcow2 overlay.qcow2", "-f raw -S 0 same.raw",
        "-f raw -c same.raw"})
    void sameAllocationAsQemuImg(String args) throws Exception {
        List<String> common = List.of("convert", "-O", "qcow2", "-B", "base.qcow2", "-F", "qcow2");
        String[] extra = args.split(" ");
        Files.deleteIfExists(dir.resolve("q.qcow2"));
        Files.deleteIfExists(dir.resolve("j.qcow2"));
        run(concat(List.of("qemu-img"), common, List.of(extra), List.of("q.qcow2")));
        jqcow(concat(common, List.of(extra), List.of("j.qcow2")));
        assertEquals(map("q.qcow2"), map("j.qcow2"), "allocation (qemu-img map, host offsets removed)");
        assertEquals("Images are identical.\n", run("qemu-img", "compare", "q.qcow2", "j.qcow2"));
        run("qemu-img", "check", "j.qcow2");
    }

    /** jqcow in-process; file names are made absolute (the JVM's directory is not the test's). */
    private static void jqcow(List<String> args) {
        int rc = io.jqcow.tools.Main.execute(args.stream().map(a -> a.endsWith(".qcow2") || a.endsWith(".raw")
                ? dir.resolve(a).toString() : a).toArray(String[]::new), io.jqcow.tools.ToolEnv.system());
        assertEquals(0, rc, "jqcow " + args);
    }

    private static String map(String image) throws Exception {
        return run("qemu-img", "map", "--output=json", image).replaceAll(", \"offset\": \\d+", "");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        return run(List.of(cmd));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), cmd + ": " + out);
        return out;
    }
}
