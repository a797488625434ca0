package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.ProgressPrinter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code compare [-f fmt] [-F fmt] [-s] [-p] [-q] [-T cache] [-U] A B}: exit 0 when the images read
 * the same, 1 when they differ, 2 when one cannot be opened, 3/4 on status/read errors.
 */
@Command(name = "compare", description = "Check whether two images have the same content (qemu-img compare).")
public final class CompareCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String format1;
    @Option(names = "-F", paramLabel = "FMT") String format2;
    @Option(names = "-s") boolean strict;
    @Option(names = "-p") boolean showProgress;
    @Option(names = "-q") boolean quiet;
    @Option(names = "-T", paramLabel = "CACHE") String cache = "writeback";
    @Option(names = {"-U", "--force-share"}) boolean forceShare;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "FILE") List<String> files;

    public CompareCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (files == null || files.size() != 2) {
            return Usage.fail(env, "Expecting two image file names");
        }
        CacheMode cacheMode;
        try {
            cacheMode = CacheMode.parse(cache);
        } catch (BlockException e) {
            throw new ToolException(List.of("Invalid source cache option: " + cache), 2);
        }
        ProgressPrinter progress = showProgress && !quiet ? new ProgressPrinter(env.out(), 2.0) : null;
        if (progress != null) {
            progress.update(0);
        }
        try (BlockNode n1 = Opening.open(env, files.get(0), Opening.options(format1, true, forceShare, true,
                cacheMode), 2);
             BlockNode n2 = Opening.open(env, files.get(1), Opening.options(format2, true, forceShare, true,
                     cacheMode), 2)) {
            int rc = compare(n1, n2, progress);
            if (progress != null) {
                env.out().print('\n');
            }
            env.out().flush();
            return rc;
        }
    }

    private int compare(BlockNode n1, BlockNode n2, ProgressPrinter progress) throws BlockException {
        long size1 = n1.length();
        long size2 = n2.length();
        if (strict && size1 != size2) {
            say("Strict mode: Image size mismatch!");
            return 1;
        }
        long total = Math.max(size1, size2);
        ContentComparer.Side a = new ContentComparer.Side(n1, files.get(0));
        ContentComparer.Side b = new ContentComparer.Side(n2, files.get(1));
        ContentComparer c = new ContentComparer(a, b, pos -> {
            if (progress != null && total > 0) {
                progress.update(pos * 100.0 / total);
            }
        });
        long common = Math.min(size1, size2);
        ContentComparer.Outcome o = c.compareCommon(common, strict);
        if (o instanceof ContentComparer.Same && size1 != size2) {
            say("Warning: Image size mismatch!");
            o = c.checkTail(size1 > size2 ? a : b, common, total);
        }
        if (progress != null && o instanceof ContentComparer.Same) {
            progress.update(100);
        }
        if (o instanceof ContentComparer.Mismatch m) {
            say("Content mismatch at offset " + m.offset() + "!");
            return 1;
        }
        if (o instanceof ContentComparer.StatusMismatch m) {
            say("Strict mode: Offset " + m.offset() + " block status mismatch!");
            return 1;
        }
        if (o instanceof ContentComparer.Failed f) {
            env.error(f.message());
            return f.exitCode();
        }
        say("Images are identical.");
        return 0;
    }

    private void say(String message) {
        if (!quiet) {
            env.out().println(message);
        }
    }
}
