package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.tools.Main;
import io.jqcow.tools.testing.CliRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * convert of a qcow2 whose fourth compressed cluster is garbage (reading it is EIO), against
 * qemu-img: without --salvage the same "error while reading at byte N" and exit 1; with --salvage
 * the same per-sector warnings, exit 0 and the same output bytes (the bad sectors as zeroes).
 */
class SalvageInteropTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void image() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img is not installed");
        byte[] text = new byte[1 << 20];
        Random r = new Random(3);
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + r.nextInt(26)); // compressible, so every cluster is stored compressed
        }
        Files.write(dir.resolve("src.raw"), text);
        run("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "src.raw", "bad.qcow2");
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("bad.qcow2").toFile(), "rw")) {
            f.seek(40);
            long l1 = f.readLong();
            f.seek(l1);
            long l2 = f.readLong() & 0x00FFFFFFFFFFFE00L;
            f.seek(l2 + 8 * 3);
            long entry = f.readLong();
            assertTrue((entry & (1L << 62)) != 0, "cluster 3 is compressed");
            long host = entry & ((1L << 54) - 1); // 64 KiB clusters: 62 - (16 - 8) offset bits
            f.seek(host);
            f.write(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
        }
    }

    @ParameterizedTest(name = "convert {0}")
    @ValueSource(strings = {"-O raw", "--salvage -O raw", "--salvage -O qcow2", "--salvage -m 1 -W -O raw"})
    void sameAsQemuImg(String flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("convert", "-f", "qcow2"));
        args.addAll(List.of(flags.split(" ")));
        String fmt = flags.endsWith("qcow2") ? "qcow2" : "raw";
        Path theirs = dir.resolve("theirs." + fmt);
        Path ours = dir.resolve("ours." + fmt);
        Files.deleteIfExists(theirs);
        Files.deleteIfExists(ours);
        List<String> q = new ArrayList<>(List.of("qemu-img"));
        q.addAll(args);
        q.addAll(List.of("bad.qcow2", theirs.getFileName().toString()));
        Process p = new ProcessBuilder(q).directory(dir.toFile()).start();
        String qerr = new String(p.getErrorStream().readAllBytes());
        int qexit = p.waitFor();
        List<String> j = new ArrayList<>(args);
        j.addAll(List.of(dir.resolve("bad.qcow2").toString(), ours.toString()));
        CliRun run = ConvertFixtures.jqcow(j.toArray(String[]::new));
        assertEquals(qexit, run.exitCode(), run.err());
        assertEquals(qerr.replace("qemu-img: ", "PROG: "), run.err().replace(Main.NAME + ": ", "PROG: "));
        if (qexit == 0) {
            if (fmt.equals("raw")) {
                assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
            } else {
                assertEquals("Images are identical.\n", run("qemu-img", "compare", theirs.toString(), ours.toString()));
            }
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), List.of(cmd) + ": " + out);
        return out;
    }
}
