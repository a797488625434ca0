package io.jqcow.tools.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.tools.testing.CliRun;
import io.jqcow.tools.testing.MemoryNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same bench flags through the real qemu-img (temp raw file) and jqcow bench (in-memory node of
 * the same size and bytes): same stdout apart from the run time, same stderr after the program
 * name, same exit status, same final bytes.
 */
class QemuImgBenchInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuImg() {
        boolean present = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "qemu-img")));
        if (!present) {
            System.out.println("SKIP QemuImgBenchInteropTest: qemu-img is not installed");
        }
        Assumptions.assumeTrue(present, "qemu-img is not installed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-c 10", "-c 10 -w -d 4 -s 4k -o 1k -S 8k --pattern 0x12",
        "-c 20 -w -d 1 -s 1k -o 60k -S 6k --pattern 7", "-c 9 -w -d 2 --flush-interval 3 --pattern 255",
        "-c 5 -w -d 2 --flush-interval 3 --no-drain", "-c 3 -s 128k", "-c 3 -o 64k", "-c 0", "-q -c 2 -U",
        "-c 10 --flush-interval 3", "-c x", "-d -1", "-s 1x", "-s 3G", "-o x", "-S x", "-w --pattern 300",
        "-t bogus", "-i bogus", "-n -c 4", "-w -U -c 1", "-w -d 4 --flush-interval 2 --no-drain"})
    void sameAsQemuImgBench(String flags) throws Exception {
        byte[] initial = new byte[64 * 1024];
        Path image = dir.resolve("b.raw");
        Files.write(image, initial);
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "bench", "-f", "raw"));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.add(image.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu-img bench did not finish");

        List<String> ours = new ArrayList<>(List.of("bench", "-f", "raw"));
        ours.addAll(List.of(flags.split(" ")));
        ours.add(image.toString());
        MemoryNode node = new MemoryNode(initial, false);
        CliRun r = CliRun.run(node, ours.toArray(new String[0]));

        String qemuErr = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8)
                .replace("qemu-img: ", "jqcow: ").replace("Could not open '" + image + "': Could not open", "Could not open");
        assertEquals(CliRun.untimed(Files.readString(dir.resolve("out"), StandardCharsets.UTF_8)),
                r.outWithoutTiming(), "stdout; our stderr: " + r.err());
        assertEquals(qemuErr, r.err(), "stderr");
        assertEquals(p.exitValue(), r.exitCode(), "exit status");
        assertArrayEquals(Files.readAllBytes(image), node.contents(), "final bytes");
    }
}
