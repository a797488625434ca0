package io.jqcow.tools.convert;

import io.jqcow.tools.ImageOpener;
import io.jqcow.tools.testing.CliRun;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Source images with every kind of content convert must tell apart, and the two tools to run. */
final class ConvertFixtures {
    static final int CLUSTER = 64 * 1024;

    private ConvertFixtures() {
    }

    static boolean qemuImgPresent() {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "qemu-img")));
    }

    /**
     * A sparse raw file of {@code clusters} 64K clusters plus {@code tail} bytes, each cluster one of:
     * hole, random data, written zeroes, compressible text, a 4K random block in a hole, 1K data then
     * written zeroes.
     */
    static Path rawSource(Path path, long seed, int clusters, int tail) throws IOException {
        Random rnd = new Random(seed);
        byte[] buf = new byte[CLUSTER];
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength((long) clusters * CLUSTER + tail);
            for (int i = 0; i < clusters; i++) {
                long off = (long) i * CLUSTER;
                switch (rnd.nextInt(6)) {
                    case 1 -> {
                        rnd.nextBytes(buf);
                        write(f, off, buf, CLUSTER);
                    }
                    case 2 -> write(f, off, new byte[CLUSTER], CLUSTER);
                    case 3 -> {
                        byte[] text = ("cluster " + i + " compresses well ").repeat(4000)
                                .getBytes(StandardCharsets.US_ASCII);
                        write(f, off, text, CLUSTER);
                    }
                    case 4 -> {
                        byte[] small = new byte[4096];
                        rnd.nextBytes(small);
                        write(f, off + 4096L * rnd.nextInt(16), small, small.length);
                    }
                    case 5 -> {
                        byte[] mixed = new byte[CLUSTER];
                        byte[] head = new byte[1024];
                        rnd.nextBytes(head);
                        System.arraycopy(head, 0, mixed, 0, head.length);
                        write(f, off, mixed, CLUSTER);
                    }
                    default -> {
                    }
                }
            }
            if (tail > 0) {
                byte[] t = new byte[tail];
                rnd.nextBytes(t);
                write(f, (long) clusters * CLUSTER, t, tail);
            }
        }
        return path;
    }

    private static void write(RandomAccessFile f, long off, byte[] data, int len) throws IOException {
        f.seek(off);
        f.write(data, 0, len);
    }

    /** Runs a qemu tool; returns its exit status with stdout and stderr. */
    static Result qemu(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", args));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    /** jqcow in-process over the real image opener. */
    static CliRun jqcow(String... args) {
        return CliRun.runWith(ImageOpener.IMAGES, "", new ArrayList<>(), args);
    }

    /** qemu-img map --output=json without host offsets: what is allocated and how, not where. */
    static String allocation(Path image, String format) throws IOException, InterruptedException {
        Result r = qemu("qemu-img", "map", "--output=json", "-f", format, image.toString());
        if (r.exit() != 0) {
            throw new IOException(r.err());
        }
        return mergeRuns(r.out().replaceAll(", \"offset\": \\d+", ""));
    }

    private static final java.util.regex.Pattern ENTRY = java.util.regex.Pattern.compile(
            "\\{ \"start\": (\\d+), \"length\": (\\d+), (.*?)\\}");

    /** Neighbours with the same flags become one line: host placement decides qemu-img's splits. */
    static String mergeRuns(String map) {
        StringBuilder out = new StringBuilder();
        long start = -1;
        long len = 0;
        String flags = null;
        java.util.regex.Matcher m = ENTRY.matcher(map);
        while (m.find()) {
            long s = Long.parseLong(m.group(1));
            long l = Long.parseLong(m.group(2));
            if (m.group(3).equals(flags) && start + len == s) {
                len += l;
                continue;
            }
            if (flags != null) {
                out.append(start).append('+').append(len).append(' ').append(flags).append('\n');
            }
            start = s;
            len = l;
            flags = m.group(3);
        }
        if (flags != null) {
            out.append(start).append('+').append(len).append(' ').append(flags).append('\n');
        }
        return out.toString();
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    record Result(int exit, String out, String err) {
    }
}
