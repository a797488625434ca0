package io.jqcow.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FileOptions;
import io.jqcow.posix.FilePosix;
import io.jqcow.posix.FilesystemType;
import io.jqcow.posix.PolicyDecision;
import io.jqcow.posix.ProbeReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jqcow probe [--json] [-t CACHE] [-i AIO] PATH}: what the host offers for PATH — filesystem,
 * alignments (probed and reported), fallocate and SEEK_DATA support, and the per-filesystem policy
 * decisions with the rule behind each. Never writes to PATH.
 */
@Command(name = "probe", description = "Report what the host offers for a file or device (never writes to it).")
public final class ProbeCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Option(names = "--json") boolean json;
    @Option(names = "-t", paramLabel = "CACHE") String cache = "none";
    @Option(names = "-i", paramLabel = "AIO") String aio = "threads";
    @Option(names = "-o", paramLabel = "OPTIONS",
            description = "post-eof-serialise=auto|off|async-only|always,alloc-zero-writes=auto|on|off")
    String options;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(index = "0", paramLabel = "PATH") Path path;

    public ProbeCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> opts = io.jqcow.tools.cli.OptionString.parse(options == null ? "" : options);
        for (String key : opts.keySet()) {
            if (!key.equals("post-eof-serialise") && !key.equals("alloc-zero-writes")) {
                throw new ToolException("Invalid option '" + key + "' for probe");
            }
        }
        FileOptions fo = FileOptions.defaults(path, true).withCache(CacheMode.parse(cache)).withAio(AioMode.parse(aio))
                .withPolicy(opts.getOrDefault("post-eof-serialise", "auto"),
                        opts.getOrDefault("alloc-zero-writes", "auto"));
        ProbeReport r = FilePosix.probe(fo);
        PolicyDecision d = new FileNodeOpener(FileNodeOpener.environmentPolicy(), null, null).decide(fo);
        Map<String, Object> m = describe(r, d);
        if (json) {
            env.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } else {
            m.forEach((k, v) -> env.out().println(k + ": " + v));
        }
        return 0;
    }

    static Map<String, Object> describe(ProbeReport r, PolicyDecision d) {
        FilesystemType fs = d.fs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", r.path());
        m.put("filesystem", fs.name());
        m.put("filesystem-magic", String.format("0x%x", r.fsMagic()));
        m.put("filesystem-class", fs.fsClass().name().toLowerCase(java.util.Locale.ROOT));
        m.put("kernel", System.getProperty("os.version"));
        m.put("block-device", r.blockDevice());
        if (r.blockDevice()) {
            m.put("logical-block-size", r.logicalBlockSize());
            m.put("physical-block-size", r.physicalBlockSize());
        }
        m.put("statx-dio-offset-align", r.statxDioOffsetAlign());
        m.put("statx-dio-mem-align", r.statxDioMemAlign());
        m.put("probed-request-alignment", r.probedRequestAlignment());
        m.put("probed-memory-alignment", r.probedMemAlignment());
        m.put("request-alignment", r.requestAlignment());
        m.put("memory-alignment", r.memAlignment());
        m.put("alignment-source", r.alignmentSource());
        m.put("max-transfer", r.maxTransfer());
        m.put("fallocate-zero-range", name(r.zeroRange()));
        m.put("fallocate-punch-hole", name(r.punchHole()));
        m.put("fallocate-allocate", name(r.allocate()));
        m.put("seek-data", name(r.seekData()));
        m.put("aio", d.aio().qemuName());
        m.put("post-eof-serialise", d.postEof().optionName());
        m.put("post-eof-serialise-effective", d.serialisePostEofWrites());
        m.put("post-eof-serialise-rule", d.postEofRule());
        m.put("alloc-zero-writes", d.allocZeroWrites() ? "on" : "off");
        m.put("alloc-zero-writes-rule", d.allocZeroRule());
        return m;
    }

    private static String name(ProbeReport.Support s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }
}
