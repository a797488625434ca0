package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.BitmapDirectory;
import io.jqcow.image.BitmapInfo;
import io.jqcow.image.ChainMap;
import io.jqcow.image.CreateOption;
import io.jqcow.image.Measure;
import io.jqcow.image.MeasureResult;
import io.jqcow.posix.CacheMode;
import io.jqcow.qcow2.Qcow2CreateOptions;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.SnapshotLoadException;
import io.jqcow.tools.cli.SnapshotParam;
import io.jqcow.image.OpenOptions;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.OptionString;
import io.jqcow.tools.cli.SizeArgument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code measure [-O fmt] [-o opts] [--size N | [-f fmt] SRC] [--output=human|json]}: how large a new
 * image would be, empty or holding the source's data.
 */
@Command(name = "measure", description = "Calculate the file size required for a new image (qemu-img measure).")
public final class MeasureCommand implements Callable<Integer> {
    /** Formats QEMU knows but cannot measure. */
    private static final Set<String> NOT_MEASURABLE = Set.of("vmdk", "vdi", "vpc", "vhdx", "qed", "qcow",
            "parallels", "cloop", "dmg", "bochs", "vvfat");

    private final ToolEnv env;

    @Option(names = "-O", paramLabel = "FMT") String outputFormat = "raw";
    @Option(names = "-o", paramLabel = "OPTIONS") List<String> options = new ArrayList<>();
    @Option(names = "--size", paramLabel = "SIZE") String sizeText;
    @Option(names = "-f", paramLabel = "FMT") String format;
    @Option(names = "--output", paramLabel = "FORMAT") String output = "human";
    @Option(names = {"-U", "--force-share"}) boolean forceShare;
    @Option(names = "-l", paramLabel = "SNAPSHOT_PARAM") String snapshotParam;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "FILE") List<String> files = new ArrayList<>();

    public MeasureCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        boolean json = OutputFormat.isJson(output);
        if (files.size() > 1) {
            throw new ToolException("Expecting one image file name");
        }
        String file = files.isEmpty() ? null : files.get(0);
        if (file != null && sizeText != null) {
            throw new ToolException("--size N cannot be used together with a filename.");
        }
        if (file == null && sizeText == null) {
            throw new ToolException("Either --size N or one filename must be specified.");
        }
        long size = sizeText == null ? -1 : SizeArgument.parse(sizeText, "image size", Long.MAX_VALUE, env::error);
        List<CreateOption> known = CreateOption.forFormat(outputFormat);
        if (known == null) {
            throw new ToolException(NOT_MEASURABLE.contains(outputFormat)
                    ? "Block driver '" + outputFormat + "' does not support size measurement"
                    : "Unknown file format '" + outputFormat + "'");
        }
        Map<String, String> opts;
        try {
            opts = CreateOptionValues.check(OptionString.parseAll(options), CreateOption.withProtocol(known));
        } catch (CreateOptionValues.BadOption e) {
            throw new ToolException(List.of(e.lines().get(0),
                    "Invalid options for file format '" + outputFormat + "'"), 1);
        }
        MeasureResult r = file == null ? measure(size, List.of(), null, opts) : measureSource(file, opts);
        print(r, json);
        return 0;
    }

    private MeasureResult measureSource(String file, Map<String, String> opts) throws Exception {
        try (BlockNode node = openSource(file)) {
            long size = node.length();
            List<BitmapInfo> bitmaps = null;
            if (outputFormat.equals("qcow2") && node.driver() instanceof Qcow2Driver q && q.header().version() >= 3) {
                bitmaps = BitmapDirectory.read(q);
            }
            ChainMap map = new ChainMap(node, file);
            return measure(size, map.map(0, size), bitmaps, opts);
        }
    }

    private BlockNode openSource(String file) throws ToolException {
        OpenOptions o = Opening.options(format, true, forceShare, true, CacheMode.WRITEBACK);
        if (snapshotParam == null) {
            return Opening.open(env, file, o);
        }
        SnapshotParam snapshot = SnapshotParam.parse(snapshotParam);
        try {
            return snapshot.open(env.opener(), java.nio.file.Path.of(file), o);
        } catch (SnapshotLoadException e) {
            throw new ToolException(e.getMessage());
        } catch (BlockException e) {
            throw new ToolException(Opening.couldNotOpen(file, e));
        }
    }

    /** @param bitmaps the source's bitmaps, or null when the target cannot carry them */
    private MeasureResult measure(long size, List<io.jqcow.image.MapExtent> extents, List<BitmapInfo> bitmaps,
                                  Map<String, String> opts) throws ToolException {
        if (outputFormat.equals("raw")) {
            return Measure.raw(size);
        }
        Map<String, String> q = new LinkedHashMap<>(opts);
        q.remove("size");
        q.remove("extent_size_hint");
        q.remove("nocow");
        Qcow2CreateOptions o;
        try {
            o = Qcow2CreateOptions.parse(q, size);
        } catch (BlockException e) {
            throw new ToolException(measureWording(e.getMessage(), q.get("preallocation")));
        }
        long bitmapBytes = bitmaps == null ? -1 : BitmapDirectory.measure(bitmaps, size, o.clusterSize());
        return Measure.qcow2(o, size, Measure.dataBytes(extents, o.clusterSize()), bitmapBytes);
    }

    /** measure words some create errors differently from create. */
    private static String measureWording(String message, String prealloc) {
        if (message.startsWith("Parameter 'preallocation' does not accept")) {
            return "invalid parameter value: " + prealloc;
        }
        return message.replace("(use version=v3 or greater)", "(use compat=1.1 or greater)")
                .replace("too large for file format 'qcow2' (", "too large (");
    }

    private void print(MeasureResult r, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (r.hasBitmaps()) {
                m.put("bitmaps", r.bitmaps());
            }
            m.put("required", r.required());
            m.put("fully-allocated", r.fullyAllocated());
            env.out().println(JsonText.pretty(m));
        } else {
            env.out().println("required size: " + r.required());
            env.out().println("fully allocated size: " + r.fullyAllocated());
            if (r.hasBitmaps()) {
                env.out().println("bitmaps size: " + r.bitmaps());
            }
        }
        env.out().flush();
    }
}
