package io.jqcow.tools.img;

import io.jqcow.image.Images;
import io.jqcow.tools.ImageOpener;
import io.jqcow.tools.Main;
import io.jqcow.tools.ToolEnv;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the same image command through the real qemu-img and through jqcow (in-process, real
 * files), with file names inside one directory; outputs come back with that directory stripped
 * and the program name of error lines unified.
 */
final class Twin {
    /** What one program printed and returned. */
    record Run(int exit, String out, String err) {
    }

    private final Path dir;

    Twin(Path dir) {
        this.dir = dir;
    }

    static void assumeQemuImg(String who) {
        boolean present = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "qemu-img")));
        if (!present) {
            System.out.println("SKIP " + who + ": qemu-img is not installed");
        }
        Assumptions.assumeTrue(present, "qemu-img is not installed");
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** Splits args on blanks; "@name" (a word or an option value) names a file in the directory. */
    private List<String> words(String args) {
        List<String> out = new ArrayList<>();
        for (String w : args.trim().split(" +")) {
            out.add(w.replaceAll("(^|=)@", "$1" + java.util.regex.Matcher.quoteReplacement(dir + "/")));
        }
        return out;
    }

    Run qemu(String tool, String args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool));
        cmd.addAll(words(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        Run r = new Run(p.exitValue(), clean(Files.readString(out)), clean(Files.readString(err)));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    Run img(String args) throws IOException, InterruptedException {
        return qemu("qemu-img", args);
    }

    /** qemu-img that must succeed (fixture setup). */
    void must(String tool, String args) throws IOException, InterruptedException {
        Run r = qemu(tool, args);
        if (r.exit() != 0) {
            throw new IOException(tool + " " + args + " failed: " + r.err());
        }
    }

    /** qemu-io -c COMMAND on a file of the directory (fixture setup; the command may contain blanks). */
    void qemuIo(String file, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("qemu-io", "-c", command, dir.resolve(file).toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("qemu-io -c '" + command + "' " + file + " failed: " + out);
        }
    }

    Run jqcow(String args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        // Open warnings (a probed raw image) go where the real CLI's go: this run's stderr.
        ImageOpener opener = (p, o) -> Images.open(p, o, errStream::println);
        ToolEnv env = new ToolEnv(new PrintStream(out, true, StandardCharsets.UTF_8), errStream,
                new ByteArrayInputStream(new byte[0]), opener);
        int rc = Main.execute(words(args).toArray(new String[0]), env);
        return new Run(rc, clean(out.toString(StandardCharsets.UTF_8)), clean(err.toString(StandardCharsets.UTF_8)));
    }

    private String clean(String s) {
        return s.replace(dir + "/", "").replace("qemu-img: ", "PROG: ").replace(Main.NAME + ": ", "PROG: ")
                .replace("Try '" + Main.NAME + " --help'", "Try 'qemu-img --help'");
    }
}
