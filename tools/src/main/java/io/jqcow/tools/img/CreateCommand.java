package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.CreateOption;
import io.jqcow.image.BackingNames;
import io.jqcow.image.ImageFiles;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.OptionString;
import io.jqcow.tools.cli.SizeArgument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code create [-f fmt] [-o opts] [-b backing -F backing_fmt] [-u] [-q] FILE [SIZE]}. Every option is
 * checked before the file is touched, so a rejected command leaves nothing behind.
 */
@Command(name = "create", description = "Create a new disk image (qemu-img create).")
public final class CreateCommand implements Callable<Integer> {
    private static final List<String> RAW_PREALLOC = List.of("off", "falloc", "full");

    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String format = "raw";
    @Option(names = "-o", paramLabel = "OPTIONS") List<String> options = new ArrayList<>();
    @Option(names = "-b", paramLabel = "BACKING") String backing;
    @Option(names = "-F", paramLabel = "BACKING_FMT") String backingFormat;
    @Option(names = "-u") boolean unsafe;
    @Option(names = "-q") boolean quiet;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "ARG") List<String> operands = new ArrayList<>();

    public CreateCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<CreateOption> known = CreateOption.forFormat(format);
        if (options.stream().anyMatch(o -> o.equals("help") || o.equals("?"))) {
            if (known == null) {
                throw new ToolException("Unknown file format '" + format + "'");
            }
            boolean withFile = !operands.isEmpty();
            env.out().print(CreateOptionValues.help(format, withFile ? CreateOption.withProtocol(known) : known,
                    withFile));
            return 0;
        }
        if (operands.isEmpty()) {
            return Usage.fail(env, "Expecting image file name");
        }
        if (operands.size() > 2) {
            return Usage.fail(env, "Unexpected argument: " + operands.get(2));
        }
        for (String op : operands) {
            if (op.startsWith("-") && op.length() > 1) {
                return Usage.fail(env, "unrecognized option '" + op + "'");
            }
        }
        String file = operands.get(0);
        long size = operands.size() == 2 ? SizeArgument.parse(operands.get(1), "image size", Long.MAX_VALUE,
                env::error) : -1;
        if (known == null) {
            return fail(file, "Unknown file format '" + format + "'");
        }
        Map<String, String> given = new LinkedHashMap<>(OptionString.parseAll(options));
        if (backing != null) {
            given.put("backing_file", backing);
        }
        if (backingFormat != null) {
            given.put("backing_fmt", backingFormat);
        }
        Map<String, String> opts;
        try {
            opts = CreateOptionValues.check(given, CreateOption.withProtocol(known));
        } catch (CreateOptionValues.BadOption e) {
            return fail(file, e.lines().toArray(String[]::new));
        }
        if (size >= 0 && opts.containsKey("size")) {
            return fail(file, "The image size must be specified only once");
        }
        if (size < 0 && opts.containsKey("size")) {
            size = Long.parseLong(opts.get("size"));
        }
        String backingFile = opts.get("backing_file");
        if (backingFile != null && format.equals("qcow2")) {
            if (!opts.containsKey("backing_fmt")) {
                fail(file, "Backing file specified without backing format");
                detectedFormat(file, backingFile);
                return 1;
            }
            if (!unsafe) {
                try {
                    long backingSize = backingSize(file, backingFile, opts.get("backing_fmt"));
                    size = size < 0 ? backingSize : size;
                } catch (BlockException e) {
                    return fail(file, e.getMessage(), "Could not open backing image.");
                }
            }
        }
        if (size < 0) {
            return fail(file, "Image creation needs a size parameter");
        }
        opts.put("size", Long.toString(size));
        if (!quiet) {
            env.out().println(FormattingLine.of(file, format, opts));
            env.out().flush();
        }
        opts.remove("size");
        opts.remove("extent_size_hint");
        opts.remove("nocow");
        if (format.equals("raw")) {
            String pre = opts.getOrDefault("preallocation", "off");
            if (pre.equals("metadata")) {
                return fail(file, "Unsupported preallocation mode: metadata");
            }
            if (!RAW_PREALLOC.contains(pre)) {
                return fail(file, "invalid parameter value: " + pre);
            }
        }
        try {
            ImageFiles.create(Path.of(file), format, size, opts, false);
        } catch (BlockException e) {
            return fail(file, e.getMessage());
        }
        return 0;
    }

    private long backingSize(String file, String backingName, String fmt) throws BlockException {
        String name = BackingNames.resolve(file, backingName);
        try (BlockNode b = env.opener().open(Path.of(name),
                Opening.options(fmt, true, false, false, CacheMode.WRITEBACK))) {
            return b.length();
        }
    }

    /** qemu-img names the probed format of a backing file given without -F (no newline after it). */
    private void detectedFormat(String file, String backingName) {
        try (BlockNode b = env.opener().open(Path.of(BackingNames.resolve(file, backingName)),
                Opening.options(null, true, true, false, CacheMode.WRITEBACK))) {
            env.err().print("Detected format of " + b.formatName() + ".");
            env.err().flush();
        } catch (BlockException e) {
            // nothing to name
        }
    }

    /** qemu-img's create errors: "FILE: message", continuation lines without any prefix. */
    private int fail(String file, String... lines) {
        env.error(file + ": " + lines[0]);
        for (int i = 1; i < lines.length; i++) {
            env.err().println(lines[i]);
        }
        env.err().flush();
        return 1;
    }
}
