package io.jqcow.tools.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.tools.testing.CliRun;
import io.jqcow.tools.testing.MemoryNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the same script through the real qemu-io (over a temp raw file) and through jqcow io (over an
 * in-memory node with the same bytes) and demands identical output apart from timing numbers,
 * identical exit status, the same stderr (after the program name) and the same final bytes.
 */
class QemuIoInteropTest {
    private static final int SIZE = 64 * 1024;
    /** write -s reads this; both programs see the same file. */
    private static final String SOURCE = "target/qemu-io-source.bin";

    @TempDir
    Path dir;

    @BeforeAll
    static void needQemuIo() {
        boolean present = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "qemu-io")));
        if (!present) {
            System.out.println("SKIP QemuIoInteropTest: qemu-io is not installed");
        }
        Assumptions.assumeTrue(present, "qemu-io is not installed");
    }

    @BeforeAll
    static void writeSourceFile() throws IOException {
        Files.writeString(Path.of(SOURCE), "HELLOWORLD", StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> scripts() {
        return Stream.of(
                Arguments.of("plain reads and writes", List.of("write -P 0xab 512 512", "read -P 0xab 512 512",
                        "read -v 500 40", "write 0 1k", "read -P 0xcd 0 1024", "read 0 1088", "length")),
                Arguments.of("pattern failures", List.of("read -P 0x11 1k 512", "read -q -P 0x11 1k 512",
                        "write -P 0x22 4k 100", "read -P 0x22 -s 12 -l 20 4090 200", "read -v -P 0x22 4k 20")),
                Arguments.of("vectors", List.of("writev -P 0x33 100 512 1k 7", "readv -P 0x33 100 512 1024 7",
                        "readv -v 90 16 20", "writev -q 8k 1", "readv -P 0x33 0 10")),
                Arguments.of("zeroes discard flush", List.of("write -P 0x44 0 8k", "write -z 1k 2k",
                        "write -z -u 4k 1k", "write -f 6k 512", "read -P 0 1k 2k", "discard 0 4k",
                        "discard -q 4k 4k", "flush", "read -P 0x44 3k 1k")),
                Arguments.of("range and argument errors", List.of("read 60k 8k", "write 64k 1", "discard 63k 2k",
                        "read -- -1 512", "read abc 1", "read 0", "read 0 1 2", "read -x 0 1", "bogus 1",
                        "read 0 3G", "read -P zz 0 1", "read -P 0x100 0 1", "read -s 1 0 1",
                        "read -P 0 -s 600 0 512", "write -z -P 1 0 1", "write -u 0 1", "write -n 0 1",
                        "length 1", "sleep x", "readv 0 1 x", "readv 0 3G", "truncate", "read 1e 0",
                        "read 8E 0", "read 64k 0", "read 0 1.5k", "read 0x200 0x10", "read 010 1b",
                        "read 0 512 -q", "read -qv 0 4")),
                Arguments.of("aio", List.of("aio_write -P 0x55 0 4k", "aio_flush", "aio_read -P 0x55 0 1k 3k",
                        "aio_flush", "aio_read -P 0x66 0 512", "aio_flush", "aio_read 60k 8k", "aio_flush",
                        "aio_write -z 0 512 512", "aio_write -u 0 1", "aio_read -v 0 4 4", "aio_flush",
                        "aio_write -q 1k 1", "aio_flush", "aio_flush 1")),
                Arguments.of("truncate and length", List.of("truncate 128k", "length", "write -P 7 120k 8k",
                        "read -P 7 120k 8k", "truncate 32k", "length", "read 30k 4k", "truncate -m bogus 1M",
                        "r 0 1", "w 0 1", "quit", "length")),
                Arguments.of("machine-readable statistics", List.of("read -C 0 512", "write -C 0 1536",
                        "readv -C 0 512 512", "discard -C 0 512", "aio_read -C 0 512", "aio_flush",
                        "read -C -q 0 1", "read -C -v 0 1", "read -C -P 1 0 1", "writev -C 0 1 2",
                        "aio_write -C -z 0 4", "aio_flush", "write -C -z 0 1")),
                Arguments.of("source file", List.of("write -s " + SOURCE + " 0 8", "read -v 0 16",
                        "write -s " + SOURCE + " 100 25", "read -v 96 32", "write -s /nonexistent/x 0 1",
                        "write -s " + SOURCE + " -P 1 0 1", "write -s /tmp 0 1")),
                Arguments.of("concurrent aio", List.of("aio_write -P 1 0 4k", "aio_write -P 2 4k 4k",
                        "aio_write -P 3 8k 1k 1k", "aio_read -P 0 32k 4k", "aio_read -P 9 40k 512", "aio_flush",
                        "read -P 2 4k 4k", "aio_write -z 0 512", "aio_write -C 12k 100", "aio_flush")),
                Arguments.of("edge forms", List.of("read -p 0 1", "write -p 0 1", "read -l 4 0 8",
                        "readv -P 0x33", "discard -C -q 0 1", "write -C -q 0 1", "read -P 0 -l 0 0 8",
                        "truncate -m full 64k", "sleep 0", "writev 0", "readv -q 0", "write 0 0", "writev 0 0",
                        "discard 0 0", "read 0x10000 0", "read 0x1k 1", "read -P 0xcd -s 0 -l 1 0 2",
                        "write -P 0x100 0 1", "aio_write -P 1 -z 0 512", "aio_flush", "aio_read -P 0 0 512",
                        "aio_flush", "write -zP0 0 1", "read -vq 0 1", "read -C -v -P 0 0 2", "flush 1",
                        "truncate -m off 64k", "length", "  read   -q   0   1  ", "")),
                Arguments.of("no failure", List.of("write -P 1 0 1", "read -P 1 0 1", "sleep 1", "map",
                        "alloc 0 64k", "alloc 1k 3", "alloc 63k 8k")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void sameOutputAsQemuIo(String title, List<String> script) throws Exception {
        byte[] initial = new byte[SIZE];
        new Random(title.hashCode()).nextBytes(initial);
        for (int i = 0; i < 16 * 1024; i++) {
            initial[i] = 0; // a zeroed head keeps pattern checks meaningful
        }
        Path image = dir.resolve("img.raw");
        Files.write(image, initial);

        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        List<String> ours = new ArrayList<>(List.of("io", "-f", "raw"));
        for (String c : script) {
            cmd.add("-c");
            cmd.add(c);
            ours.add("-c");
            ours.add(c);
        }
        cmd.add(image.toString());
        ours.add(image.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu-io did not finish");
        String qemuOut = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
        String qemuErr = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);

        MemoryNode node = new MemoryNode(initial, false);
        CliRun run = CliRun.run(node, ours.toArray(new String[0]));

        if (title.startsWith("concurrent")) {
            // Completion order of requests in flight together is up to the I/O engine.
            assertEquals(sortedLines(CliRun.untimed(qemuOut)), sortedLines(run.outWithoutTiming()),
                    "sorted stdout of " + title + "; our stderr: " + run.err());
        } else {
            assertEquals(CliRun.untimed(qemuOut), run.outWithoutTiming(), "stdout of " + title + "; our stderr: " + run.err());
        }
        assertEquals(qemuErr.replace("qemu-io: ", "jqcow: "), run.err(), "stderr of " + title);
        assertEquals(p.exitValue(), run.exitCode(), "exit status of " + title);
        assertArrayEquals(readBack(image), node.contents(), "final image bytes of " + title);
    }

    @Test
    void commandsFromStdinPromptLikeQemuIo() throws Exception {
        byte[] initial = new byte[SIZE];
        Path image = dir.resolve("stdin.raw");
        Files.write(image, initial);
        String script = "write -P 3 0 512\nread -P 4 0 512\nbogus\n\nlength\n";
        Path input = dir.resolve("in");
        Files.writeString(input, script);
        Process p = new ProcessBuilder("qemu-io", "-f", "raw", image.toString()).redirectInput(input.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu-io did not finish");
        String qemuOut = Files.readString(dir.resolve("out")).replace("qemu-io> ", "jqcow> ");

        MemoryNode node = new MemoryNode(initial, false);
        CliRun run = CliRun.runWithStdin(node, script, "io", "-f", "raw", image.toString());
        assertEquals(CliRun.untimed(qemuOut), run.outWithoutTiming());
        assertEquals(Files.readString(dir.resolve("err")), run.err());
        assertEquals(p.exitValue(), run.exitCode());
    }

    private static String sortedLines(String text) {
        return String.join("\n", text.lines().sorted().toList());
    }

    private static byte[] readBack(Path image) throws IOException {
        return Files.readAllBytes(image);
    }
}
