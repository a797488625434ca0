package io.jqcow.tools.convert;

import static io.jqcow.tools.convert.ConvertFixtures.allocation;
import static io.jqcow.tools.convert.ConvertFixtures.jqcow;
import static io.jqcow.tools.convert.ConvertFixtures.qemu;
import static io.jqcow.tools.convert.ConvertFixtures.rawSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.tools.convert.ConvertFixtures.Result;
import io.jqcow.tools.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jqcow convert against qemu-img convert on the same sources: equal content (qemu-img compare),
 * clean qcow2 (qemu-img check), equal allocation where qemu-img's sparse choices are deterministic,
 * and byte-identical round trips.
 */
class QemuImgConvertInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuImg() {
        boolean present = ConvertFixtures.qemuImgPresent();
        if (!present) {
            System.out.println("SKIP QemuImgConvertInteropTest: qemu-img is not installed");
        }
        Assumptions.assumeTrue(present, "qemu-img is not installed");
    }

    /** Converts with both tools (flags, then sources, then the target) and checks the common facts. */
    private Path[] both(String outFormat, List<String> flags, Path... sources) throws Exception {
        Path ours = dir.resolve("ours." + outFormat);
        Path theirs = dir.resolve("theirs." + outFormat);
        List<String> q = new ArrayList<>(List.of("qemu-img", "convert", "-O", outFormat));
        List<String> j = new ArrayList<>(List.of("convert", "-O", outFormat));
        q.addAll(flags);
        j.addAll(flags);
        for (Path s : sources) {
            q.add(s.toString());
            j.add(s.toString());
        }
        q.add(theirs.toString());
        j.add(ours.toString());
        Result r = qemu(q.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        CliRun run = jqcow(j.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertCompare(ours, outFormat, theirs, outFormat);
        if (outFormat.equals("qcow2")) {
            assertClean(ours);
            // The space allocated ahead of the copy is given back: the file ends where qemu-img's does.
            assertEquals(Files.size(theirs), Files.size(ours), "file length");
        }
        return new Path[] {ours, theirs};
    }

    private static void assertCompare(Path a, String fa, Path b, String fb) throws Exception {
        Result c = qemu("qemu-img", "compare", "-f", fa, "-F", fb, a.toString(), b.toString());
        assertEquals(0, c.exit(), c.out() + c.err());
    }

    private static void assertClean(Path qcow2) throws Exception {
        Result c = qemu("qemu-img", "check", qcow2.toString());
        assertEquals(0, c.exit(), c.out() + c.err());
        assertTrue(c.out().contains("No errors were found"), c.out());
    }

    private Path source(long seed) throws Exception {
        return rawSource(dir.resolve("src" + seed + ".raw"), seed, 96, 1536);
    }

    /** raw -> qcow2 -> raw through jqcow only: the bytes come back exactly. */
    private void assertRoundTrip(Path raw, Path qcow2) throws Exception {
        Path back = dir.resolve("back.raw");
        CliRun r = jqcow("convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), back.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(back));
    }

    @ParameterizedTest(name = "raw->qcow2 {0}")
    @ValueSource(strings = {"", "-W -m 16", "-S 64k", "-S 0", "-m 1", "-o cluster_size=4k", "-o compat=0.10",
        "-o preallocation=metadata", "-o cluster_size=2M", "-r 512M", "-r 0"})
    void rawToQcow2(String flags) throws Exception {
        Path src = source(7);
        List<String> f = flags.isEmpty() ? List.of("-f", "raw") : ConvertFixtures.concat(List.of(flags.split(" ")),
                "-f", "raw");
        Path[] out = both("qcow2", f, src);
        assertEquals(allocation(out[1], "qcow2"), allocation(out[0], "qcow2"));
        assertRoundTrip(src, out[0]);
    }

    @ParameterizedTest(name = "qcow2->raw {0}")
    @ValueSource(strings = {"", "-S 64k", "-S 0", "-W"})
    void qcow2ToRaw(String flags) throws Exception {
        Path src = source(11);
        Path q = dir.resolve("src.qcow2");
        assertEquals(0, qemu("qemu-img", "convert", "-f", "raw", "-O", "qcow2", src.toString(), q.toString()).exit());
        List<String> f = flags.isEmpty() ? List.of() : List.of(flags.split(" "));
        Path[] out = both("raw", f, q);
        assertEquals(allocation(out[1], "raw"), allocation(out[0], "raw"));
        assertArrayEquals(Files.readAllBytes(out[1]), Files.readAllBytes(out[0]));
    }

    @Test
    void qcow2ChainToQcow2() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        Path src = source(3);
        assertEquals(0, qemu("qemu-img", "convert", "-f", "raw", "-O", "qcow2", src.toString(), base.toString())
                .exit());
        assertEquals(0, qemu("qemu-img", "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
                top.toString()).exit());
        Result io = qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 100k 200k", "-c", "write -z 1M 512k",
                "-c", "discard 2M 128k", "-c", "write -P 0x11 5M 64k", top.toString());
        assertEquals(0, io.exit(), io.err());
        Path[] out = both("qcow2", List.of(), top);
        assertEquals(allocation(out[1], "qcow2"), allocation(out[0], "qcow2"));
        assertCompare(out[0], "qcow2", top, "qcow2");
    }

    @ParameterizedTest(name = "-c {0}")
    @ValueSource(strings = {"zlib", "zstd"})
    void compressed(String type) throws Exception {
        Path src = rawSource(dir.resolve("c.raw"), 5, 64, 4096);
        Path[] out = both("qcow2", List.of("-c", "-f", "raw", "-o", "compression_type=" + type), src);
        assertEquals(allocation(out[1], "qcow2"), allocation(out[0], "qcow2"));
        Result check = qemu("qemu-img", "check", out[0].toString());
        assertTrue(check.out().contains("compressed clusters") && !check.out().contains(" 0.00% compressed"),
                check.out());
        Result info = qemu("qemu-img", "info", out[0].toString());
        assertTrue(info.out().contains("compression type: " + type), info.out());
        assertRoundTrip(src, out[0]);
    }

    @Test
    void backingAllocatesLikeQemuImg() throws Exception {
        Path src = source(13);
        Path base = dir.resolve("base.qcow2");
        assertEquals(0, qemu("qemu-img", "convert", "-f", "raw", "-O", "qcow2", src.toString(), base.toString())
                .exit());
        Path changed = dir.resolve("changed.raw");
        Files.copy(src, changed);
        Result io = qemu("qemu-io", "-f", "raw", "-c", "write -P 0x33 320k 64k", "-c", "write -z 0 128k",
                changed.toString());
        assertEquals(0, io.exit(), io.err());
        Path[] out = both("qcow2", List.of("-f", "raw", "-B", base.toString(), "-F", "qcow2"), changed);
        assertCompare(out[0], "qcow2", changed, "raw");
        // qemu-img writes all source data, even where it equals the backing file; zeroes as zero clusters
        assertEquals(allocation(out[1], "qcow2"), allocation(out[0], "qcow2"));
        assertRoundTrip(changed, out[0]);
    }

    @Test
    void existingTarget() throws Exception {
        Path src = source(17);
        long size = Files.size(src);
        for (String zeroFlag : new String[] {"", "--target-is-zero"}) {
            Path t = dir.resolve("t" + zeroFlag.length() + ".qcow2");
            assertEquals(0, qemu("qemu-img", "create", "-f", "qcow2", t.toString(), String.valueOf(size + 512))
                    .exit());
            if (zeroFlag.isEmpty()) {
                assertEquals(0, qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0xee 0 " + size, t.toString()).exit());
            }
            List<String> args = new ArrayList<>(List.of("convert", "-n", "-f", "raw", "-O", "qcow2"));
            if (!zeroFlag.isEmpty()) {
                args.add(zeroFlag);
            }
            args.add(src.toString());
            args.add(t.toString());
            CliRun r = jqcow(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.err());
            assertClean(t);
            Path back = dir.resolve("n.raw");
            assertEquals(0, qemu("qemu-img", "convert", "-O", "raw", t.toString(), back.toString()).exit());
            byte[] expect = java.util.Arrays.copyOf(Files.readAllBytes(src), (int) size + 512);
            assertArrayEquals(expect, Files.readAllBytes(back));
        }
    }

    @ParameterizedTest(name = "sources -> {0}")
    @ValueSource(strings = {"qcow2", "raw"})
    void severalSourcesConcatenate(String format) throws Exception {
        Path a = rawSource(dir.resolve("a.raw"), 21, 16, 700);
        Path b = rawSource(dir.resolve("b.raw"), 22, 8, 0);
        Path c = dir.resolve("c.qcow2");
        assertEquals(0, qemu("qemu-img", "convert", "-f", "raw", "-O", "qcow2", a.toString(), c.toString()).exit());
        Path[] out = both(format, List.of(), a, b, c);
        assertEquals(allocation(out[1], format), allocation(out[0], format));
    }

    @Test
    void progressLikeQemuImg() throws Exception {
        Path src = source(9);
        Path t = dir.resolve("p.qcow2");
        CliRun r = jqcow("convert", "-p", "-f", "raw", "-O", "qcow2", src.toString(), t.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("    (0.00/100%)\r"), r.out());
        assertTrue(r.out().endsWith("    (100.00/100%)\r    (100.00/100%)\r\n"), r.out());
        CliRun quiet = jqcow("convert", "-p", "-q", "-f", "raw", "-O", "qcow2", src.toString(), t.toString());
        assertEquals("", quiet.out());
    }
}
