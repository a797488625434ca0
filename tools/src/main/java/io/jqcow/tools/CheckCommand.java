package io.jqcow.tools;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FileOptions;
import io.jqcow.qcow2.Qcow2Header;
import io.jqcow.qcow2.check.CheckFailedException;
import io.jqcow.qcow2.check.CheckLog;
import io.jqcow.qcow2.check.CheckMode;
import io.jqcow.qcow2.check.Qcow2Check;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code check [-f fmt] [-r leaks|all] [--output=human|json] [-T cache] [-U] [-q] FILE}: qemu-img check.
 * Exit codes as qemu-img: 0 clean, 1 check errors or failure, 2 corruptions, 3 leaks only, 63 the
 * format has no check. Per-problem lines go to stderr, the report to stdout.
 */
@Command(name = "check", description = "Check (and optionally repair) a qcow2 image for consistency.")
public final class CheckCommand implements Callable<Integer> {
    static final int EXIT_NO_CHECK = 63;

    @Option(names = "-f", paramLabel = "FMT", description = "image format (qcow2 or raw); probed when absent")
    String format;

    @Option(names = "-r", paramLabel = "leaks|all", description = "repair leaks, or leaks and corruptions")
    String repair;

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human")
    String output;

    @Option(names = {"-U", "--force-share"}, description = "open without taking the shared write lock")
    boolean forceShare;

    @Option(names = "-T", paramLabel = "SRC_CACHE", defaultValue = "writeback",
            description = "cache mode for the image file (none, writeback, writethrough, directsync, unsafe)")
    String cache;

    @Option(names = "-q", description = "quiet: print no report")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    private final PrintStream out;
    private final PrintStream err;

    public CheckCommand() {
        this(System.out, System.err);
    }

    public CheckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        CheckMode mode;
        if (repair == null) {
            mode = CheckMode.NONE;
        } else if (repair.equals("leaks")) {
            mode = CheckMode.LEAKS;
        } else if (repair.equals("all")) {
            mode = CheckMode.ALL;
        } else {
            fail("Unknown option value for -r (expecting 'leaks' or 'all'): " + repair);
            err.println("Try 'jqcow --help' for more information");
            return 1;
        }
        boolean json;
        if (output.equals("json")) {
            json = true;
        } else if (output.equals("human")) {
            json = false;
        } else {
            return fail("--output must be used with human or json as argument.");
        }
        if (format != null && !format.equals("qcow2") && !format.equals("raw")) {
            return fail("Could not open '" + file + "': Unknown driver '" + format + "'");
        }
        if (forceShare && mode != CheckMode.NONE) {
            return fail("Could not open '" + file + "': force-share=on can only be used with read-only images");
        }
        CacheMode cacheMode;
        try {
            cacheMode = CacheMode.parse(cache);
        } catch (BlockException e) {
            return fail("Invalid source cache option: " + cache);
        }
        FileOptions opts = FileOptions.defaults(file, mode == CheckMode.NONE).withForceShare(forceShare)
                .withCache(cacheMode);
        try (RequestThreads threads = new RequestThreads();
             BlockNode node = openFile(opts, threads)) {
            if (node == null) {
                return 1;
            }
            String fmt = format != null ? format : probe(node);
            if (format == null && fmt.equals("raw") && mode != CheckMode.NONE) {
                warnProbedRaw();
            }
            if (fmt.equals("raw")) {
                return fail("This image format does not support checks", EXIT_NO_CHECK);
            }
            Qcow2Check check = new Qcow2Check(node);
            check.validate();
            if (check.hasStaleBitmaps()) {
                // qemu-img's wording, including the missing newline after the hint.
                fail("warning: a program lacking bitmap support modified this file, so all bitmaps are now "
                        + "considered inconsistent");
                err.print("Some clusters may be leaked, run 'jqcow check -r' on the image file to fix.");
                err.flush();
            }
            return runCheck(check, mode, json);
        } catch (BlockException e) {
            return fail("Could not open '" + file + "': " + e.getMessage());
        }
    }

    private BlockNode openFile(FileOptions opts, RequestThreads threads) {
        try {
            return new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null).open(opts);
        } catch (BlockException e) {
            fail("Could not open '" + file + "': " + e.getMessage());
            return null;
        }
    }

    private int runCheck(Qcow2Check check, CheckMode mode, boolean json) {
        Qcow2Check.Outcome outcome;
        try {
            outcome = check.checkAndVerify(mode, new CheckLog() {
                @Override
                public void line(String text) {
                    err.println(text);
                    err.flush();
                }

                @Override
                public void error(String message) {
                    fail(message);
                }
            }, repairPass -> {
                if (!json) {
                    print(CheckReportFormat.repairSummary(repairPass));
                }
            });
        } catch (CheckFailedException e) {
            return fail("Check failed: " + e.getMessage());
        } catch (BlockException e) {
            // qemu-img names only the errno; the detail goes to stderr first.
            err.println(e.getMessage());
            return fail("Check failed: " + e.errno().description());
        }
        print(json ? CheckReportFormat.json(outcome.result(), file.toString(), "qcow2")
                : CheckReportFormat.human(outcome.result()));
        return outcome.result().exitCode();
    }

    /** qemu-img's warning for a writable open of a raw image whose format was guessed. */
    private void warnProbedRaw() {
        err.println(io.jqcow.image.ImageOpener.probedRawWarning(file.toString()));
    }

    private static String probe(BlockNode node) throws BlockException {
        if (node.length() < 4) {
            return "raw";
        }
        ByteBuffer b = ByteBuffer.allocate(4);
        node.read(0, b.duplicate());
        return b.getInt(0) == Qcow2Header.MAGIC ? "qcow2" : "raw";
    }

    private void print(String s) {
        if (!quiet) {
            out.print(s);
            out.flush();
        }
    }

    private int fail(String message) {
        return fail(message, 1);
    }

    private int fail(String message, int code) {
        err.println("jqcow: " + message);
        err.flush();
        return code;
    }
}
