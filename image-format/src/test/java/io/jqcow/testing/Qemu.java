package io.jqcow.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.ImageOpener;
import io.jqcow.image.OpenOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs qemu-img / qemu-io as the oracle; tests skip (with a printed reason) when they are absent. */
public final class Qemu {
    private Qemu() {
    }

    public record Result(int exit, String out) {
    }

    public static void assumePresent() {
        boolean ok = Files.isExecutable(Path.of("/usr/bin/qemu-img")) && Files.isExecutable(Path.of("/usr/bin/qemu-io"));
        if (!ok) {
            System.out.println("SKIP: qemu-img/qemu-io not installed");
        }
        assumeTrue(ok, "qemu-img/qemu-io not installed");
    }

    public static Result run(String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and requires exit 0. */
    public static String ok(String... cmd) {
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit + ": " + r.out);
        }
        return r.out;
    }

    public static void img(String... args) {
        List<String> c = new ArrayList<>(List.of("qemu-img"));
        c.addAll(List.of(args));
        ok(c.toArray(new String[0]));
    }

    /** qemu-io on a qcow2 image with the given commands. */
    public static void io(Path image, String... commands) {
        List<String> c = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String cmd : commands) {
            c.add("-c");
            c.add(cmd);
        }
        c.add(image.toString());
        ok(c.toArray(new String[0]));
    }

    /** Guest contents as qemu sees them (qemu-img convert -O raw). */
    public static byte[] rawContents(Path image) throws IOException {
        Path raw = image.resolveSibling(image.getFileName() + ".raw");
        ok("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
        byte[] b = Files.readAllBytes(raw);
        Files.delete(raw);
        return b;
    }

    /** qemu-img check output and exit code. */
    public static Result check(Path image) {
        return run("qemu-img", "check", image.toString());
    }

    /** An image opener over in-memory test nodes and pass-through driver nodes. */
    public static ImageOpener opener() {
        return new ImageOpener(o -> new FileImageNode(o.path(), o.readOnly()), DriverNode::new, w -> { });
    }

    public static BlockNode open(Path image, boolean readOnly) throws BlockException {
        OpenOptions o = readOnly ? OpenOptions.readOnly("qcow2") : OpenOptions.readWrite("qcow2");
        return opener().open(image, o);
    }

    public static BlockNode open(Path image, boolean readOnly, Map<String, String> extra) throws BlockException {
        OpenOptions o = readOnly ? OpenOptions.readOnly("qcow2") : OpenOptions.readWrite("qcow2");
        return opener().open(image, o.withExtra(extra));
    }

    /** Reads a node's whole guest contents. */
    public static byte[] readAll(BlockNode node) throws BlockException {
        byte[] b = new byte[(int) node.length()];
        node.read(0, b, 0, b.length);
        return b;
    }
}
