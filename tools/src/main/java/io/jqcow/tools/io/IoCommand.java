package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.ImageSettings;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jqcow io}: qemu-io's disk exerciser. Runs each -c command in order (or lines from stdin when
 * there is none) and exits 1 if any of them failed, 0 otherwise.
 */
@Command(name = "io", description = "Exercise an image with qemu-io's command language.")
public final class IoCommand implements Callable<Integer> {
    private static final String PROMPT = "jqcow> ";

    private final ToolEnv env;

    @Option(names = {"-c", "--cmd"}, paramLabel = "STRING", description = "command to run (repeatable)")
    List<String> commands = new ArrayList<>();

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = "image format (default: probe)")
    String format;

    @Option(names = {"-t", "--cache"}, paramLabel = "MODE", description = "cache mode")
    String cache;

    @Option(names = {"-i", "--aio"}, paramLabel = "MODE", description = "threads, native or io_uring")
    String aio;

    @Option(names = {"-n", "--nocache"}, description = "disable host cache, short for -t none")
    boolean nocache;

    @Option(names = {"-k", "--native-aio"}, description = "use kernel AIO (as -i native)")
    boolean nativeAio;

    @Option(names = {"-d", "--discard"}, paramLabel = "MODE", description = "discard mode: ignore/off or unmap/on")
    String discard;

    @Option(names = {"-r", "--read-only"}, description = "open read-only")
    boolean readOnly;

    @Option(names = {"-U", "--force-share"}, description = "force shared permissions")
    boolean forceShare;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Parameters(arity = "1", paramLabel = "FILE")
    Path file;

    public IoCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws ToolException {
        ImageSettings settings = settings();
        BlockNode node;
        try {
            settings.validate();
            node = env.opener().open(file, settings.toOpenOptions());
        } catch (BlockException e) {
            throw new ToolException("can't open device " + file + ": " + e.getMessage());
        }
        boolean failed;
        try (node) {
            failed = runScript(new IoShell(new IoSession(node, env)));
        } catch (BlockException e) {
            env.error(e.getMessage());
            return 1;
        }
        return failed ? 1 : 0;
    }

    private boolean runScript(IoShell shell) throws ToolException {
        if (!commands.isEmpty()) {
            for (String c : commands) {
                shell.execute(c);
                if (shell.quit()) {
                    break;
                }
            }
        } else {
            BufferedReader in = new BufferedReader(new InputStreamReader(env.in(), StandardCharsets.UTF_8));
            try {
                // qemu-io prompts before every line it reads, terminal or not ("qemu-io> ").
                while (!shell.quit()) {
                    env.out().print(PROMPT);
                    env.out().flush();
                    String line = in.readLine();
                    if (line == null) {
                        break;
                    }
                    shell.execute(line);
                }
            } catch (IOException e) {
                throw new ToolException("reading commands: " + e.getMessage());
            }
        }
        shell.finish();
        return shell.failed();
    }

    /** -d as the open option qemu calls "discard": "ignore" or "unmap" (off/on are synonyms). */
    private Map<String, String> discardOption() throws ToolException {
        if (discard == null) {
            return Map.of();
        }
        String mode = switch (discard) {
            case "ignore", "off" -> "ignore";
            case "unmap", "on" -> "unmap";
            default -> throw new ToolException("Invalid discard option: " + discard);
        };
        return Map.of("discard", mode);
    }

    private ImageSettings settings() throws ToolException {
        try {
            CacheMode c = nocache ? CacheMode.NONE : CacheMode.WRITEBACK;
            if (cache != null) {
                c = CacheMode.parse(cache);
            }
            AioMode a = nativeAio ? AioMode.NATIVE : AioMode.THREADS;
            if (aio != null) {
                a = AioMode.parse(aio);
            }
            return new ImageSettings(format, readOnly, c, a, forceShare, discardOption());
        } catch (BlockException e) {
            throw new ToolException(e.getMessage());
        }
    }
}
