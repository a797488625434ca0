package io.jqcow.tools.jmh;

import io.jqcow.tools.ImageOpener;
import io.jqcow.tools.Main;
import io.jqcow.tools.ToolEnv;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The convert copy in a warm JVM beside qemu-img convert on the same images, in one JMH run
 * (tools/bench/jmh-convert.sh). jqcow runs in-process, so this measures the engine without the
 * JVM's start-up; qemu-img runs as a process each time, its ~5 ms start included. The wall-clock
 * comparison with start-up is bench-convert.sh's job.
 *
 * <p>The source is a raw image with half of its 64K clusters random data (a fixed seed), and the
 * qcow2 source is qemu-img's conversion of it, so both tools read the same bytes. Files live in
 * -Djqcow.bench.dir (default /tmp/jqcow-jmh): a real filesystem, not tmpfs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
// The launcher's JVM flags (bin/jqcow), so the JIT and heap behave as they do for users.
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmn16m"})
public class ConvertBenchmark {
    private static final int CLUSTER = 65536;

    @Param({"raw->qcow2", "qcow2->raw"})
    public String direction;

    @Param({"jqcow", "qemu-img"})
    public String tool;

    @Param({"2048"})
    public int sizeMiB;

    private Path rawSource;
    private Path qcow2Source;
    private Path out;
    private List<String> args;

    @Setup(Level.Trial)
    public void images() throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("jqcow.bench.dir", "/tmp/jqcow-jmh"));
        Files.createDirectories(dir);
        rawSource = dir.resolve("src-" + sizeMiB + "m.raw");
        qcow2Source = dir.resolve("src-" + sizeMiB + "m.qcow2");
        if (!Files.exists(rawSource)) {
            writeHalfRandom(rawSource, (long) sizeMiB << 20);
        }
        if (!Files.exists(qcow2Source)) {
            run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", rawSource.toString(),
                    qcow2Source.toString()));
        }
        boolean toQcow2 = direction.equals("raw->qcow2");
        out = dir.resolve(toQcow2 ? "out.qcow2" : "out.raw");
        args = toQcow2
                ? List.of("convert", "-f", "raw", "-O", "qcow2", rawSource.toString(), out.toString())
                : List.of("convert", "-f", "qcow2", "-O", "raw", qcow2Source.toString(), out.toString());
    }

    /** Every convert starts with no output file and nothing left to write back from the last one. */
    @Setup(Level.Invocation)
    public void noOutput() throws IOException, InterruptedException {
        Files.deleteIfExists(out);
        run(List.of("sync"));
    }

    @Benchmark
    public int convert() throws IOException, InterruptedException {
        if (tool.equals("qemu-img")) {
            List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img"));
            cmd.addAll(args);
            return run(cmd);
        }
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        ToolEnv env = new ToolEnv(sink, System.err, new ByteArrayInputStream(new byte[0]), ImageOpener.IMAGES);
        int rc = Main.execute(args.toArray(String[]::new), env);
        if (rc != 0) {
            throw new IllegalStateException("jqcow convert failed: " + rc);
        }
        return rc;
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + rc);
        }
        return rc;
    }

    /** A sparse raw image: every 64K cluster is random data with probability 1/2, else a hole. */
    private static void writeHalfRandom(Path path, long size) throws IOException {
        Random rnd = new Random(20261122);
        byte[] pool = new byte[16 << 20];
        rnd.nextBytes(pool);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(size);
            for (long c = 0; c < size / CLUSTER; c++) {
                if (rnd.nextBoolean()) {
                    f.seek(c * CLUSTER);
                    f.write(pool, rnd.nextInt(pool.length - CLUSTER) & ~511, CLUSTER);
                }
            }
        }
    }
}
