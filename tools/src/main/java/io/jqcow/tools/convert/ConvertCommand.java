package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.ConvertSourceChain;
import io.jqcow.image.ConvertTargets;
import io.jqcow.image.ImageOpener;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.LockMode;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.SnapshotLoadException;
import io.jqcow.tools.cli.SnapshotParam;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.OptionString;
import io.jqcow.tools.cli.ProgressPrinter;
import io.jqcow.tools.cli.SizeArgument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jqcow convert}: qemu-img convert between raw and qcow2, block-status driven and sparse. */
@Command(name = "convert", description = "Convert one or more images to a raw or qcow2 image.")
public final class ConvertCommand implements Callable<Integer> {
    private static final long MAX_SPARSE = 16L << 20;
    /** How far ahead of the copy a qcow2 target's space is allocated (cropped when it closes). */
    static final String TARGET_PREALLOCATION = "16M";

    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String sourceFormat;
    @Option(names = "-O", paramLabel = "OUTPUT_FMT") String outputFormat = "raw";
    @Option(names = "-o", paramLabel = "OPTIONS") List<String> createOptions = new ArrayList<>();
    @Option(names = "-c") boolean compress;
    @Option(names = "-p") boolean progress;
    @Option(names = "-q") boolean quiet;
    @Option(names = "-n") boolean skipCreate;
    @Option(names = "-W") boolean outOfOrder;
    @Option(names = "-m", paramLabel = "NUM_COROUTINES") String coroutines = "8";
    @Option(names = "-S", paramLabel = "SPARSE_SIZE") String sparseSize = "4k";
    @Option(names = "-t", paramLabel = "CACHE") String targetCache = "unsafe";
    @Option(names = "-T", paramLabel = "SRC_CACHE") String sourceCache = "writeback";
    @Option(names = "-B", paramLabel = "BACKING_FILE") String backingFile;
    @Option(names = "-F", paramLabel = "BACKING_FMT") String backingFormat;
    @Option(names = "--target-is-zero") boolean targetIsZero;
    @Option(names = "-U") boolean forceShare;
    @Option(names = "-l", paramLabel = "SNAPSHOT_PARAM") String snapshotParam;
    @Option(names = "--salvage") boolean salvage;
    @Option(names = "-r", paramLabel = "RATE_LIMIT") String rateLimit;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(arity = "0..*", paramLabel = "FILENAME") List<String> files = new ArrayList<>();

    public ConvertCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws ToolException, InterruptedException {
        ConvertRequest req = validate();
        SnapshotParam snapshot = snapshotParam == null ? null : SnapshotParam.parse(snapshotParam);
        List<BlockNode> sources = new ArrayList<>();
        try {
            for (Path p : req.sources()) {
                OpenOptions o = new OpenOptions(sourceFormat, true, req.sourceCache(), AioMode.THREADS,
                        LockMode.AUTO, forceShare, true, Map.of());
                sources.add(snapshot == null ? open(p, o) : openSnapshot(snapshot, p, o));
            }
            return convert(req, sources);
        } finally {
            for (BlockNode n : sources) {
                closeQuietly(n);
            }
        }
    }

    private int convert(ConvertRequest req, List<BlockNode> sourceNodes) throws ToolException, InterruptedException {
        SourceSet sources;
        try {
            sources = new SourceSet(sourceNodes, req.backing() != null);
        } catch (BlockException e) {
            throw new ToolException(e.getMessage());
        }
        long total = sources.totalLength();
        if (!skipCreate) {
            try {
                ConvertTargets.create(req.target(), outputFormat, total, req.createOptions(),
                        req.targetCache());
            } catch (BlockException e) {
                throw new ToolException(req.target() + ": error while converting " + outputFormat + ": "
                        + e.getMessage());
            }
        }
        // The copy extends a qcow2 target cluster run by cluster run: allocating its space in
        // steps ahead of the writes is cheaper for the filesystem (see PreallocateAheadNode).
        BlockNode target = open(req.target(), new OpenOptions(outputFormat, false, req.targetCache(),
                AioMode.THREADS, LockMode.AUTO, false, true,
                Map.of(ImageOpener.PREALLOCATE_AHEAD, TARGET_PREALLOCATION)));
        try (target) {
            if (target.length() < total) {
                throw new ToolException("output file is smaller than input file");
            }
            Qcow2Driver qcow2 = target.driver() instanceof Qcow2Driver q ? q : null;
            if (compress && qcow2 == null) {
                throw new ToolException("Compression not supported for this file format");
            }
            int cluster = qcow2 != null ? qcow2.header().clusterSize() : 65536;
            CopyOptions copy = new CopyOptions(req.workers(), !outOfOrder, req.sparse(), compress,
                    !skipCreate || targetIsZero, cluster);
            copy(sources, target, ConvertSourceChain.backingOf(target), qcow2, copy, req.rateLimit());
            target.flush();
        } catch (BlockException e) {
            throw new ToolException(e.getMessage());
        } catch (ConvertFailure e) {
            throw new ToolException(e.getMessage());
        }
        return 0;
    }

    private void copy(SourceSet sources, BlockNode target, BlockNode targetBacking, Qcow2Driver qcow2,
                      CopyOptions copy, long rate) throws BlockException, InterruptedException {
        boolean whole = copy.compress();
        boolean full = copy.sparse() == 0;
        ProgressPrinter printer = progress && !quiet ? new ProgressPrinter(env.out()) : null;
        long dataTotal = printer == null ? 0 : dataBytes(new ChunkPlanner(sources, whole, full));
        AtomicLong done = new AtomicLong();
        if (printer != null) {
            printer.update(0);
        }
        ReadRecovery recovery = new ReadRecovery(sources, salvage, env::error);
        try (CopyPipeline pipeline = new CopyPipeline(sources, recovery, target, targetBacking,
                compress ? qcow2 : null, copy, n -> {
                    long d = done.addAndGet(n);
                    if (printer != null && dataTotal > 0) {
                        printer.update(100.0 * d / dataTotal);
                    }
                })) {
            pipeline.run(new ChunkPlanner(sources, whole, full), rate);
        }
        if (printer != null) {
            printer.update(100);
            printer.finish();
        }
    }

    /** Progress counts copied data only, as qemu-img's does: a first pass over block status sizes it. */
    private static long dataBytes(ChunkPlanner planner) throws BlockException {
        long sum = 0;
        for (Chunk c = planner.next(); c != null; c = planner.next()) {
            sum += c.dataBytes();
        }
        return sum;
    }

    /** Every check that needs no file, in qemu-img's order, so bad arguments create nothing. */
    ConvertRequest validate() throws ToolException {
        int workers;
        try {
            workers = Integer.parseInt(coroutines.strip());
        } catch (NumberFormatException e) {
            workers = -1;
        }
        if (workers < 1 || workers > 16) {
            throw new ToolException("Invalid number of coroutines. Allowed number of coroutines is between 1 and 16");
        }
        long sparse = SizeArgument.parse(sparseSize, "buffer size for sparse output", Long.MAX_VALUE,
                w -> env.error("warning: " + w));
        long rate = rateLimit == null ? 0 : SizeArgument.parse(rateLimit, "rate limit", Long.MAX_VALUE,
                w -> env.error("warning: " + w));
        if (sparse % 512 != 0 || sparse > MAX_SPARSE) {
            throw new ToolException("Invalid buffer size for sparse output specified. Valid sizes are multiples of 512 "
                    + "up to " + MAX_SPARSE + ". Select 0 to disable sparse detection (fully allocates output).");
        }
        CacheMode tc = cache(targetCache, "Invalid cache option: ");
        CacheMode sc = cache(sourceCache, "Invalid source cache option: ");
        if (targetIsZero && !skipCreate) {
            throw new ToolException("--target-is-zero requires use of -n flag");
        }
        if (files.size() < 2) {
            throw new ToolException("Must specify image file name");
        }
        if (!outputFormat.equals("raw") && !outputFormat.equals("qcow2")) {
            throw new ToolException("Unknown file format '" + outputFormat + "'");
        }
        Map<String, String> opts = new LinkedHashMap<>(OptionString.parseAll(createOptions));
        for (String key : opts.keySet()) {
            if (!CreateOptionKeys.accepts(outputFormat, key)) {
                throw new ToolException("Invalid parameter '" + key + "'");
            }
        }
        if (backingFile != null) {
            opts.put("backing_file", backingFile);
        }
        if (backingFormat != null) {
            opts.put("backing_fmt", backingFormat);
        }
        String backing = opts.get("backing_file");
        if (compress && outputFormat.equals("raw")) {
            throw new ToolException("Compression not supported for this file format");
        }
        if (backing != null && outputFormat.equals("raw")) {
            throw new ToolException("Backing file not supported for file format 'raw'");
        }
        if (backing != null && !opts.containsKey("backing_fmt") && !skipCreate) {
            throw new ToolException("Use of backing file requires explicit backing format");
        }
        List<Path> src = new ArrayList<>();
        for (String f : files.subList(0, files.size() - 1)) {
            src.add(Path.of(f));
        }
        return new ConvertRequest(src, Path.of(files.get(files.size() - 1)), opts, backing, workers, sparse, tc, sc,
                rate);
    }

    private static CacheMode cache(String name, String error) throws ToolException {
        try {
            return CacheMode.parse(name);
        } catch (BlockException e) {
            throw new ToolException(error + name);
        }
    }

    private BlockNode open(Path path, OpenOptions options) throws ToolException {
        try {
            return env.opener().open(path, options);
        } catch (BlockException e) {
            throw new ToolException("Could not open '" + path + "': " + e.getMessage());
        }
    }

    /** -l: every source reads the snapshot; failing to load it is reported on its own, as qemu-img does. */
    private BlockNode openSnapshot(SnapshotParam snapshot, Path path, OpenOptions options) throws ToolException {
        try {
            return snapshot.open(env.opener(), path, options);
        } catch (SnapshotLoadException e) {
            throw new ToolException(e.getMessage());
        } catch (BlockException e) {
            throw new ToolException("Could not open '" + path + "': " + e.getMessage());
        }
    }

    private static void closeQuietly(BlockNode n) {
        try {
            n.close();
        } catch (BlockException ignored) {
            // read-only sources: nothing to lose
        }
    }
}
