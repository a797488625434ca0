package io.jqcow.tools.bench;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.CFormat;
import io.jqcow.tools.cli.ImageSettings;
import io.jqcow.tools.cli.SizeArgument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jqcow bench}: qemu-img bench's sequential I/O benchmark, same flags and output. */
@Command(name = "bench", description = "Run a simple sequential I/O benchmark on an image.")
public final class BenchCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "-c", paramLabel = "COUNT") String count = "75000";
    @Option(names = "-d", paramLabel = "DEPTH") String depth = "64";
    @Option(names = "-f", paramLabel = "FMT") String format;
    @Option(names = "--flush-interval", paramLabel = "N") String flushInterval;
    @Option(names = "-i", paramLabel = "AIO") String aio;
    @Option(names = "-n", description = "native AIO (needs -t none or directsync)") boolean nativeAio;
    @Option(names = "--no-drain") boolean noDrain;
    @Option(names = "-o", paramLabel = "OFFSET") String offset = "0";
    @Option(names = "--pattern", paramLabel = "PATTERN") String pattern;
    @Option(names = "-q") boolean quiet;
    @Option(names = "-s", paramLabel = "BUFFER_SIZE") String size = "4096";
    @Option(names = "-S", paramLabel = "STEP_SIZE") String step;
    @Option(names = "-t", paramLabel = "CACHE") String cache;
    @Option(names = "-w") boolean write;
    @Option(names = "-U") boolean forceShare;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(arity = "0..*", paramLabel = "FILENAME") List<Path> files = new ArrayList<>();

    public BenchCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws ToolException {
        BenchSettings settings = settings();
        ImageSettings image = imageSettings();
        if (files.size() != 1) {
            throw new ToolException("Expecting one image file name");
        }
        Path file = files.get(0);
        BlockNode node;
        try {
            image.validate();
            node = env.opener().open(file, image.toOpenOptions());
        } catch (BlockException e) {
            throw new ToolException("Could not open '" + file + "': " + e.getMessage());
        }
        try (node) {
            env.out().println(settings.header());
            if (settings.flushInterval() > 0) {
                env.out().println("Sending flush every " + settings.flushInterval() + " requests");
            }
            env.out().flush();
            long start = System.nanoTime();
            try {
                new BenchRunner(node, settings).run();
            } catch (BlockException e) {
                env.error("Failed request: " + e.errno().description());
                return 1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            env.out().println("Run completed in " + CFormat.fixed(seconds, 3) + " seconds.");
        } catch (BlockException e) {
            env.error(e.getMessage());
            return 1;
        }
        return 0;
    }

    BenchSettings settings() throws ToolException {
        int c = count(count, "Invalid request count specified");
        int d = count(depth, "Invalid queue depth specified");
        if (d == 0) {
            throw new ToolException("Invalid queue depth specified");
        }
        long bufferSize = size(size, "buffer size", Integer.MAX_VALUE);
        long start = size(offset, "offset", Long.MAX_VALUE);
        long stepSize = step == null ? 0 : size(step, "step_size", Long.MAX_VALUE);
        int patternByte = 0;
        if (pattern != null) {
            Long p = unsigned(pattern);
            if (p == null || p > 0xff) {
                throw new ToolException("Invalid pattern byte specified");
            }
            patternByte = p.intValue();
        }
        int flush = 0;
        if (flushInterval != null) {
            flush = count(flushInterval, "Invalid flush interval specified");
        }
        if (flush > 0 && !write) {
            throw new ToolException("--flush-interval is only available in write tests");
        }
        if (flush > 0 && flush < d) {
            throw new ToolException("Flush interval can't be smaller than depth");
        }
        return new BenchSettings(c, d, (int) bufferSize, start, stepSize == 0 ? bufferSize : stepSize, write,
                patternByte, flush, !noDrain);
    }

    private ImageSettings imageSettings() throws ToolException {
        CacheMode c = CacheMode.WRITEBACK;
        if (cache != null) {
            try {
                c = CacheMode.parse(cache);
            } catch (BlockException e) {
                throw new ToolException("Invalid cache mode");
            }
        }
        AioMode a = nativeAio ? AioMode.NATIVE : AioMode.THREADS;
        if (aio != null) {
            try {
                a = AioMode.parse(aio);
            } catch (BlockException e) {
                throw new ToolException(e.getMessage());
            }
        }
        return new ImageSettings(format, !write, c, a, forceShare, Map.of());
    }

    /** A non-negative int as strtoul reads it (decimal, 0x hex, 0 octal), else the given error. */
    private static int count(String s, String error) throws ToolException {
        Long v = unsigned(s);
        if (v == null || v > Integer.MAX_VALUE) {
            throw new ToolException(error);
        }
        return v.intValue();
    }

    private static Long unsigned(String s) {
        String t = s.strip();
        int radix = 10;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (t.isEmpty() || t.length() > 18 || !Character.isLetterOrDigit(t.charAt(0))) {
            return null;
        }
        try {
            return Long.parseLong(t, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private long size(String s, String what, long max) throws ToolException {
        return SizeArgument.parse(s, what, max, w -> env.error("warning: " + w));
    }
}
