package io.jqcow.tools.img;

import io.jqcow.block.BlockNode;
import io.jqcow.image.ImageInfo;
import io.jqcow.image.InfoCollector;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code info [-f fmt] [--backing-chain] [-U] [--output=human|json] FILE}, like qemu-img info. */
@Command(name = "info", description = "Show information about an image (qemu-img info).")
public final class InfoCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "-f", paramLabel = "FMT") String format;
    @Option(names = "--backing-chain") boolean backingChain;
    @Option(names = {"-U", "--force-share"}) boolean forceShare;
    @Option(names = "--output", paramLabel = "FORMAT") String output = "human";
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "FILE") List<String> files = new java.util.ArrayList<>();
    private String file;

    public InfoCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (files.size() != 1) {
            return Usage.fail(env, "Expecting one image file name");
        }
        file = files.get(0);
        boolean json = OutputFormat.isJson(output);
        List<ImageInfo> chain = collect();
        if (json) {
            Object value = backingChain ? chain.stream().map(InfoPrinter::json).toList() : InfoPrinter.json(chain.get(0));
            env.out().println(JsonText.pretty(value));
        } else {
            for (int i = 0; i < chain.size(); i++) {
                if (i > 0) {
                    env.out().print('\n');
                }
                env.out().print(InfoPrinter.human(chain.get(i)));
            }
        }
        env.out().flush();
        return 0;
    }

    private List<ImageInfo> collect() throws Exception {
        List<ImageInfo> out = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        String name = file;
        String fmt = format;
        while (name != null) {
            if (!seen.add(Path.of(name).toAbsolutePath().normalize())) {
                throw new ToolException("Backing file '" + name + "' creates an infinite loop.");
            }
            ImageInfo info;
            try (BlockNode node = Opening.open(env, name,
                    Opening.options(fmt, true, forceShare, false, CacheMode.WRITEBACK))) {
                info = InfoCollector.collect(name, Path.of(name), node);
            }
            out.add(info);
            if (!backingChain) {
                break;
            }
            name = info.fullBackingFilename();
            fmt = info.backingFormat();
        }
        return out;
    }
}
