package io.jqcow.tools.testing;

import io.jqcow.block.BlockNode;
import io.jqcow.image.OpenOptions;
import io.jqcow.tools.ImageOpener;
import io.jqcow.tools.Main;
import io.jqcow.tools.ToolEnv;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Runs the CLI in-process against a given node and captures what it printed. */
public record CliRun(int exitCode, String out, String err, List<OpenCall> opens) {

    /** One call of the opener: which path with which options. */
    public record OpenCall(Path path, OpenOptions options) {
    }

    private static final Pattern TIMING = Pattern.compile(
            "(?m)^(.*, \\d+ ops; )\\S+( sec)? \\(.*\\)$");
    private static final Pattern MACHINE = Pattern.compile(
            "(?m)^(\\d+,\\d+),\\d+:\\d\\d:\\d\\d\\.\\d\\d,[0-9.]+,[0-9.]+$");
    private static final Pattern RUN_TIME = Pattern.compile("(?m)^Run completed in \\d+\\.\\d{3} seconds\\.$");

    public static CliRun run(BlockNode node, String... args) {
        return runWithStdin(node, "", args);
    }

    public static CliRun runWithStdin(BlockNode node, String stdin, String... args) {
        List<OpenCall> opens = new ArrayList<>();
        ImageOpener opener = (path, options) -> {
            opens.add(new OpenCall(path, options));
            return node;
        };
        return runWith(opener, stdin, opens, args);
    }

    public static CliRun runWith(ImageOpener opener, String stdin, List<OpenCall> opens, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ToolEnv env = new ToolEnv(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), opener);
        int rc = Main.execute(args, env);
        return new CliRun(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), opens);
    }

    /** Stdout with the timing parts of report lines replaced, so runs compare exactly. */
    public String outWithoutTiming() {
        return untimed(out);
    }

    public static String untimed(String text) {
        String t = TIMING.matcher(text).replaceAll("$1TIME");
        t = MACHINE.matcher(t).replaceAll("$1,TIME");
        return RUN_TIME.matcher(t).replaceAll("Run completed in TIME seconds.");
    }
}
