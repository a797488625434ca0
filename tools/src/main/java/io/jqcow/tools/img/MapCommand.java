package io.jqcow.tools.img;

import io.jqcow.block.BlockNode;
import io.jqcow.image.ChainMap;
import io.jqcow.image.MapExtent;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.SizeArgument;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code map [-f fmt] [--output=human|json] [--start-offset=N] [--max-length=N] [-U] FILE}: which
 * chain layer holds each range and where, printed the way qemu-img map prints it.
 */
@Command(name = "map", description = "Dump the metadata of an image and its backing chain (qemu-img map).")
public final class MapCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String format;
    @Option(names = "--output", paramLabel = "FORMAT") String output = "human";
    @Option(names = {"-s", "--start-offset"}, paramLabel = "OFFSET") String startOffset;
    @Option(names = {"-l", "--max-length"}, paramLabel = "LENGTH") String maxLength;
    @Option(names = {"-U", "--force-share"}) boolean forceShare;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "FILE") List<String> files = new java.util.ArrayList<>();
    private String file;

    public MapCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (files.size() != 1) {
            return Usage.fail(env, "Expecting one image file name");
        }
        file = files.get(0);
        boolean json = OutputFormat.isJson(output);
        long start = startOffset == null ? 0 : SizeArgument.parse(startOffset, "start offset", Long.MAX_VALUE,
                env::error);
        long max = maxLength == null ? Long.MAX_VALUE : SizeArgument.parse(maxLength, "max length", Long.MAX_VALUE,
                env::error);
        try (BlockNode node = Opening.open(env, file, Opening.options(format, true, forceShare, true,
                CacheMode.WRITEBACK))) {
            long length = node.length();
            long end = start >= length ? start : start + Math.min(max, length - start);
            List<MapExtent> extents = new ChainMap(node, file).map(start, end - start);
            if (extents.isEmpty()) {
                extents = List.of(new MapExtent(start, 0, 0, false, false, false, -1, null));
            }
            return json ? printJson(extents) : printHuman(extents);
        }
    }

    private int printJson(List<MapExtent> extents) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < extents.size(); i++) {
            MapExtent e = extents.get(i);
            sb.append(i == 0 ? "" : ",\n");
            sb.append("{ \"start\": ").append(e.start()).append(", \"length\": ").append(e.length())
                    .append(", \"depth\": ").append(e.depth()).append(", \"present\": ").append(e.present())
                    .append(", \"zero\": ").append(e.zero()).append(", \"data\": ").append(e.data());
            if (e.hasOffset()) {
                sb.append(", \"offset\": ").append(e.offset());
            }
            sb.append('}');
        }
        env.out().print(sb.append("]\n"));
        env.out().flush();
        return 0;
    }

    private int printHuman(List<MapExtent> extents) throws ToolException {
        env.out().printf(Locale.ROOT, "%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
        for (MapExtent e : extents) {
            if (e.data() && !e.hasOffset()) {
                env.out().flush();
                throw new ToolException("File contains external, encrypted or compressed clusters.");
            }
            if (e.data() && !e.zero()) {
                env.out().print(hex(e.start()) + hex(e.length()) + hex(e.offset()) + e.filename() + "\n");
            }
        }
        env.out().flush();
        return 0;
    }

    /** printf("%#-16x"): "0x" prefix except for zero, left-aligned in 16 columns. */
    static String hex(long v) {
        return String.format(Locale.ROOT, "%-16s", v == 0 ? "0" : "0x" + Long.toHexString(v));
    }
}
