package io.jqcow.tools.convert;

import static io.jqcow.tools.convert.ConvertFixtures.jqcow;
import static io.jqcow.tools.convert.ConvertFixtures.qemu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jqcow.tools.convert.ConvertFixtures.Result;
import io.jqcow.tools.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad convert command lines: qemu-img's message and exit status, and no target file left behind. */
class ConvertArgumentsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuImg() {
        boolean present = ConvertFixtures.qemuImgPresent();
        if (!present) {
            System.out.println("SKIP ConvertArgumentsTest: qemu-img is not installed");
        }
        Assumptions.assumeTrue(present, "qemu-img is not installed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-m 0 SRC DST", "-m 17 SRC DST", "-m x SRC DST", "-S 1000 SRC DST", "-S 1x SRC DST",
        "-S 32M SRC DST", "-c -O raw SRC DST", "--target-is-zero -O qcow2 SRC DST", "SRC", "-O foo SRC DST",
        "-O qcow2 -o foo=1 SRC DST", "-o cluster_size=4k SRC DST", "-O qcow2 -B SRC SRC DST",
        "-B SRC -F raw SRC DST", "MISSING DST", "-O qcow2 -o cluster_size=1000 SRC DST",
        "-O qcow2 -o compat=0.10,compression_type=zstd SRC DST", "-n -O qcow2 SRC MISSING",
        "-T foo SRC DST", "-r abc SRC DST", "-r -5 SRC DST", "-r 1x SRC DST"})
    void sameErrorAsQemuImg(String line) throws Exception {
        Path src = dir.resolve("src.raw");
        Files.write(src, new byte[1 << 16]);
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) {
            args.add(a.replace("SRC", src.toString()).replace("MISSING", dir.resolve("missing").toString())
                    .replace("DST", dir.resolve("dst").toString()));
        }
        List<String> q = new ArrayList<>(List.of("qemu-img", "convert"));
        q.addAll(args);
        Result theirs = qemu(q.toArray(String[]::new));
        assertFalse(Files.exists(dir.resolve("dst")), "qemu-img created the target: bad test case");
        List<String> j = new ArrayList<>(List.of("convert"));
        j.addAll(args);
        CliRun ours = jqcow(j.toArray(String[]::new));
        assertEquals(theirs.exit(), ours.exitCode(), ours.err());
        assertEquals(1, ours.exitCode());
        assertEquals(theirs.err().replace("qemu-img: ", "jqcow: "), ours.err());
        assertFalse(Files.exists(dir.resolve("dst")), "jqcow created the target");
        assertFalse(Files.exists(dir.resolve("missing")));
    }
}
