package io.jqcow.tools;

import io.jqcow.block.BlockException;
import io.jqcow.tools.bench.BenchCommand;
import io.jqcow.tools.io.IoCommand;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Entry point of bin/jqcow: a qemu-img/qemu-io compatible command line. The subcommands are
 * annotated picocli commands; this top level is described in code (see {@link #topLevel}).
 */
public final class Main implements java.util.concurrent.Callable<Integer> {
    public static final String NAME = "jqcow";
    static final String VERSION = "jqcow 0.1.0";

    /** Every subcommand, in --help order; MainTest checks each name against the command's own annotation. */
    static final List<String> SUBCOMMANDS = List.of("io", "bench", "probe", "replay", "check", "info", "map",
            "compare", "resize", "create", "measure", "snapshot", "convert");

    /**
     * The named subcommand built with the environment it prints to, or null for an unknown name. A
     * switch rather than a map of constructor references: linking those would load every command
     * class on every start. Adding one = one class + one case + its name above.
     */
    static Object subcommand(String name, ToolEnv env) {
        return switch (name) {
            case "io" -> new IoCommand(env);
            case "bench" -> new BenchCommand(env);
            case "probe" -> new ProbeCommand(env);
            case "replay" -> new ReplayCommand(env);
            case "check" -> new CheckCommand(env.out(), env.err());
            case "info" -> new io.jqcow.tools.img.InfoCommand(env);
            case "map" -> new io.jqcow.tools.img.MapCommand(env);
            case "compare" -> new io.jqcow.tools.img.CompareCommand(env);
            case "resize" -> new io.jqcow.tools.img.ResizeCommand(env);
            case "create" -> new io.jqcow.tools.img.CreateCommand(env);
            case "measure" -> new io.jqcow.tools.img.MeasureCommand(env);
            case "snapshot" -> new io.jqcow.tools.img.SnapshotCommand(env);
            case "convert" -> new io.jqcow.tools.convert.ConvertCommand(env);
            default -> null;
        };
    }

    private final ToolEnv env;

    private Main(ToolEnv env) {
        this.env = env;
    }

    /** Without a subcommand there is nothing to do: qemu-img's "Not enough arguments". */
    @Override
    public Integer call() {
        env.error("Not enough arguments");
        return 1;
    }

    public static void main(String[] args) {
        // Start-up overlap: while picocli builds its model (~60 ms), the second core binds the native
        // calls (~35 ms), which the command would otherwise wait for. Logging is not started here:
        // only rare events log, and its set-up (~30 ms of CPU) would compete with the main thread.
        Thread bind = new Thread(io.jqcow.posix.FilePosix::bindNativeCalls, "jqcow-start-up");
        bind.setDaemon(true);
        bind.start();
        System.exit(execute(args, ToolEnv.system()));
    }

    /** Runs one command line and returns its exit status; nothing here calls System.exit. */
    public static int execute(String[] args, ToolEnv env) {
        CommandLine cl = commandLine(env, args);
        int rc = cl.execute(args);
        env.out().flush();
        env.err().flush();
        return rc;
    }

    /**
     * The parser for one command line. Building picocli's model of a command reflects over its
     * annotations, about 10 ms per subcommand at start-up; when the first word names a subcommand
     * only that one is built. Anything else (help, --version, a typo) gets the full set, so usage
     * and error messages are unchanged.
     */
    static CommandLine commandLine(ToolEnv env, String[] args) {
        CommandLine cl = new CommandLine(topLevel(new Main(env)));
        Object only = args.length > 0 ? subcommand(args[0], env) : null;
        if (only != null) {
            cl.addSubcommand(only);
        } else if (!isVersionOnly(args)) {
            for (String name : SUBCOMMANDS) {
                cl.addSubcommand(subcommand(name, env));
            }
        }
        cl.setOut(new java.io.PrintWriter(env.out(), true));
        cl.setErr(new java.io.PrintWriter(env.err(), true));
        // qemu-img takes "-c 1 -c 2" as the last value wins for scalars; picocli would refuse.
        cl.setOverwrittenOptionsAllowed(true);
        // "@name" is an image or a command word here, never a picocli argument file.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, a) -> {
            String line = ParameterErrors.describe(ex);
            env.error(line);
            if (ParameterErrors.pointsToHelp(ex, line)) {
                env.err().println("Try '" + NAME + " --help' for more information");
            }
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(env, ex));
        return cl;
    }

    /**
     * The top-level command as picocli's annotations would describe it (name, version, description,
     * -h/--help and -V/--version with picocli's own texts), built directly: reading annotations
     * costs reflection and annotation proxies, and this model is built on every start.
     */
    static CommandSpec topLevel(Main main) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(main);
        spec.name(NAME).version(VERSION);
        spec.usageMessage().description("Java qcow2/raw disk-image tool, compatible with qemu-img.");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** "--version" (or -V) alone prints one line and needs no subcommand at all. */
    private static boolean isVersionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    private static int report(ToolEnv env, Exception ex) {
        if (ex instanceof ToolException te) {
            te.lines().forEach(env::error);
            return te.exitCode();
        }
        if (ex instanceof BlockException be) {
            env.error(be.getMessage());
            return 1;
        }
        env.error("internal error: " + ex);
        return 1;
    }
}
