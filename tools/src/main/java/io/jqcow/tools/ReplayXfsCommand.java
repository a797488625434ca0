package io.jqcow.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jqcow.block.BlockException;
import io.jqcow.fixtures.xfs.Qcow2AllocatingRace;
import io.jqcow.fixtures.xfs.RaceOrder;
import io.jqcow.fixtures.xfs.ReplayWorkload;
import io.jqcow.fixtures.xfs.XfsFallocateRace;
import io.jqcow.fixtures.xfs.XfsRaceConfig;
import io.jqcow.fixtures.xfs.XfsRaceResult;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.PostEofSerialise;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jqcow replay xfs-fallocate-race}: replays the pre-5.5 XFS fallocate-vs-AIO race against a
 * simulated kernel on a temporary file and checks the outcome against the post-eof-serialise
 * policy's promise. Exit 0 when it matches, 1 when it does not or the run failed, 2 for bad usage.
 */
@Command(name = "xfs-fallocate-race", mixinStandardHelpOptions = true,
        description = {"Replay the pre-5.5 XFS fallocate race (simulated kernel) on a temporary file in DIR",
                "and check the result against the post-eof-serialise policy. --workload qcow2 races",
                "concurrent allocating writes into a fresh qcow2 image instead, reads them back through a",
                "fresh open and runs qemu-img check on the result."})
public final class ReplayXfsCommand implements Callable<Integer> {

    @Option(names = "--policy", defaultValue = "async-only", paramLabel = "off|async-only|always",
            description = "post-eof-serialise policy (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--runs", defaultValue = "10", paramLabel = "N", description = "races to run (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--aio", defaultValue = "native", paramLabel = "native|threads",
            description = "I/O engine, with cache=none (default: ${DEFAULT-VALUE})")
    String aio;

    @Option(names = "--order", defaultValue = "both", paramLabel = "write-first|zero-first|both",
            description = "which request starts first (default: ${DEFAULT-VALUE}, alternating)")
    String order;

    @Option(names = "--sample-wait-ms", defaultValue = "300", paramLabel = "MS",
            description = "how long the simulated fallocate waits for an in-flight write, and a held write for the"
                    + " size sample (default: ${DEFAULT-VALUE})")
    long sampleWaitMs;

    @Option(names = "--workload", defaultValue = "raw", paramLabel = "raw|qcow2",
            description = "raw: one zero-write and one data write on the file node; qcow2: rounds of concurrent"
                    + " first writes into a fresh 64K-cluster qcow2 image (default: ${DEFAULT-VALUE})")
    String workload;

    @Option(names = "--depth", defaultValue = "8", paramLabel = "N",
            description = "qcow2 workload: writes in flight per round (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--partial-only",
            description = "qcow2 workload: no full-cluster writes (the model then predicts no loss even with the"
                    + " workaround off: each partial write's zero-write extends the file before its data goes out)")
    boolean partialOnly;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "directory for the temporary file (default: java.io.tmpdir)")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        XfsRaceConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayWorkload kind = workload();
        XfsRaceResult result;
        try {
            result = kind == ReplayWorkload.QCOW2 ? new Qcow2AllocatingRace(config, depth, !partialOnly).run()
                    : new XfsFallocateRace(config).run();
        } catch (BlockException | TimeoutException e) {
            err.println("jqcow: xfs-fallocate-race: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("jqcow: xfs-fallocate-race: interrupted");
            return 1;
        }
        out.println(json ? toJson(result) : result.summary());
        out.flush();
        return exitCode(result);
    }

    static int exitCode(XfsRaceResult result) {
        return result.matches() ? 0 : 1;
    }

    private XfsRaceConfig config() {
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 1");
        }
        if (sampleWaitMs < 0) {
            throw new ParameterException(spec.commandLine(), "--sample-wait-ms must not be negative");
        }
        PostEofSerialise p;
        AioMode engine;
        try {
            p = PostEofSerialise.parse(policy, "--policy");
            engine = AioMode.parse(aio);
        } catch (BlockException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (engine == AioMode.IO_URING) {
            throw new ParameterException(spec.commandLine(), "--aio must be native or threads");
        }
        Path where = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        Duration wait = Duration.ofMillis(sampleWaitMs);
        return new XfsRaceConfig(where, p, engine, runs, orders(), wait, wait);
    }

    private ReplayWorkload workload() {
        ReplayWorkload w = ReplayWorkload.parse(workload);
        if (w == null) {
            throw new ParameterException(spec.commandLine(), "--workload must be raw or qcow2: '" + workload + "'");
        }
        if (w == ReplayWorkload.RAW && partialOnly) {
            throw new ParameterException(spec.commandLine(), "--partial-only needs --workload qcow2");
        }
        if (w == ReplayWorkload.QCOW2 && (depth < 2 || depth > 64)) {
            throw new ParameterException(spec.commandLine(), "--depth must be between 2 and 64");
        }
        if (w == ReplayWorkload.QCOW2 && (long) depth * runs > 4096) {
            throw new ParameterException(spec.commandLine(), "--runs x --depth must not exceed 4096");
        }
        return w;
    }

    private List<RaceOrder> orders() {
        return switch (order) {
            case "both" -> List.of(RaceOrder.values());
            case "write-first" -> List.of(RaceOrder.WRITE_FIRST);
            case "zero-first" -> List.of(RaceOrder.ZERO_FIRST);
            default -> throw new ParameterException(spec.commandLine(),
                    "--order must be write-first, zero-first or both: '" + order + "'");
        };
    }

    static String toJson(XfsRaceResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", r.workload().optionName());
        m.put("runs", r.runs());
        m.put("lost", r.lost());
        m.put("policy", r.policy().optionName());
        m.put("aio", r.aio().qemuName());
        m.put("expected", r.expected());
        m.put("matches", r.matches());
        m.put("workaroundActive", r.workaroundActive());
        Map<String, Integer> byOrder = new LinkedHashMap<>();
        for (RaceOrder o : r.orders()) {
            byOrder.put(o.optionName(), r.lostByOrder().getOrDefault(o, 0));
        }
        m.put("lostByOrder", byOrder);
        m.put("staleTruncations", r.staleTruncations());
        if (r.qcow2() != null) {
            m.put("writes", r.qcow2().writes());
            m.put("lostWrites", r.qcow2().lostWrites());
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("verdict", r.qcow2().check().verdict());
            check.put("exitCode", r.qcow2().check().exitCode());
            check.put("summary", r.qcow2().check().conclusion());
            m.put("qemuImgCheck", check);
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the result as JSON", e);
        }
    }
}
