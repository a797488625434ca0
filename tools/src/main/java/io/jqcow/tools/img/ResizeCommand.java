package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.PreallocMode;
import io.jqcow.image.GrowthPreallocation;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.SizeParser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code resize [-f fmt] [--shrink] [--preallocation=mode] [-q] FILE [+|-]SIZE}. Like qemu-img, a
 * size such as "-1M" is taken as the size operand, not an option; shrinking needs --shrink.
 */
@Command(name = "resize", description = "Change the virtual size of an image (qemu-img resize).")
public final class ResizeCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String format;
    @Option(names = "--shrink") boolean shrink;
    @Option(names = "--preallocation", paramLabel = "MODE") String preallocation;
    @Option(names = "-q") boolean quiet;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "ARG") List<String> operands = new ArrayList<>();
    @Unmatched List<String> unmatched = new ArrayList<>();

    public ResizeCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(operands);
        for (String u : unmatched) {
            if (!u.matches("-[0-9].*")) {
                return Usage.fail(env, "unrecognized option '" + u + "'");
            }
            args.add(u);
        }
        if (args.size() < 2) {
            return Usage.fail(env, "Not enough arguments");
        }
        if (args.size() > 2) {
            return Usage.fail(env, "Expecting image file name and size");
        }
        String file = args.get(0);
        SizeChange change = parseSize(args.get(1));
        PreallocMode mode = PreallocMode.OFF;
        if (preallocation != null) {
            try {
                mode = PreallocMode.parse(preallocation);
            } catch (BlockException e) {
                throw new ToolException("Invalid preallocation mode '" + preallocation + "'");
            }
        }
        try (BlockNode node = Opening.open(env, file, Opening.options(format, false, false, true,
                CacheMode.WRITEBACK))) {
            long current = node.length();
            long target = change.apply(current);
            if (target <= 0) {
                throw new ToolException("New image size must be positive");
            }
            if (target < current && mode != PreallocMode.OFF) {
                throw new ToolException("Preallocation can only be used for growing images");
            }
            if (target < current && !shrink) {
                throw new ToolException(List.of("Use the --shrink option to perform a shrink operation.",
                        "warning: Shrinking an image will delete all data beyond the shrunken image's end. "
                                + "Before performing such an operation, make sure there is no important data there."),
                        1);
            }
            if (target > current && mode != PreallocMode.OFF) {
                GrowthPreallocation.grow(node, target, mode);
            } else {
                node.truncate(target, true, mode);
            }
            node.flush();
        }
        if (!quiet) {
            env.out().println("Image resized.");
        }
        env.out().flush();
        return 0;
    }

    /** An absolute size or a signed change of the current one; -1 in {@code absolute} means relative. */
    private record SizeChange(long absolute, long delta) {
        long apply(long current) {
            if (absolute >= 0) {
                return absolute;
            }
            long r = current + delta;
            return delta > 0 && r < current ? -1 : r;
        }
    }

    private SizeChange parseSize(String text) throws ToolException {
        char sign = text.isEmpty() ? ' ' : text.charAt(0);
        String digits = sign == '+' || sign == '-' ? text.substring(1) : text;
        long n;
        try {
            n = SizeParser.parse(digits, env::error);
        } catch (SizeParser.SizeFormatException e) {
            if (e.failure() == SizeParser.Failure.TOO_LARGE) {
                // QEMU reads a 64-bit unsigned value; from 2^63 on it turns negative
                throw new ToolException("New image size must be positive");
            }
            env.error("Parameter 'size' expects a non-negative number below 2^64");
            env.err().println("Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-");
            env.err().println("and exabytes, respectively.");
            throw new ToolException(List.of(), 1);
        }
        return switch (sign) {
            case '+' -> new SizeChange(-1, n);
            case '-' -> new SizeChange(-1, -n);
            default -> new SizeChange(n, 0);
        };
    }
}
