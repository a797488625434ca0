package io.jqcow.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jqcow.fixtures.corpus.Scenario;
import io.jqcow.fixtures.corpus.ScenarioResult;
import io.jqcow.fixtures.corpus.ScenarioRunner;
import io.jqcow.fixtures.corpus.Scenarios;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jqcow replay --list | NAME | --all [--json]}: builds a named corruption scenario, damages it,
 * and checks that qemu-img still behaves as the scenario states and that jqcow agrees. The XFS
 * fallocate race is a subcommand with its own options. Exit 0 when every replayed scenario passed.
 */
@Command(name = "replay", description = "Replay named corruption or race scenarios and check their outcome.",
        subcommands = {ReplayXfsCommand.class})
public final class ReplayCommand implements Callable<Integer> {
    static final String XFS_RACE = "xfs-fallocate-race";

    private final ToolEnv env;

    @Option(names = "--list", description = "list the scenarios") boolean list;
    @Option(names = "--all", description = "replay every corruption scenario") boolean all;
    @Option(names = "--json", description = "print results as JSON") boolean json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(arity = "0..*", paramLabel = "NAME") List<String> names = new ArrayList<>();

    public ReplayCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (list) {
            for (Scenario s : Scenarios.all()) {
                env.out().println(s.name() + "\t" + s.description());
            }
            env.out().println(XFS_RACE + "\tpre-5.5 XFS fallocate vs AIO race (simulated kernel); see 'replay "
                    + XFS_RACE + " --help'");
            return 0;
        }
        List<Scenario> chosen = new ArrayList<>();
        if (all) {
            chosen.addAll(Scenarios.all());
        }
        for (String n : names) {
            chosen.add(Scenarios.byName(n).orElseThrow(() -> new ToolException("Unknown scenario '" + n
                    + "' (see 'replay --list')")));
        }
        if (chosen.isEmpty()) {
            throw new ToolException("replay: expected --list, --all or a scenario name");
        }
        Path work = Files.createTempDirectory("jqcow-replay");
        try {
            List<ScenarioResult> results = new ScenarioRunner(work).runAll(chosen);
            print(results);
            return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
        } finally {
            deleteTree(work);
        }
    }

    private void print(List<ScenarioResult> results) throws Exception {
        if (!json) {
            results.forEach(r -> env.out().println(r));
            long passed = results.stream().filter(ScenarioResult::passed).count();
            env.out().println(passed + " passed, " + (results.size() - passed) + " failed");
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ScenarioResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("passed", r.passed());
            m.put("qemu-matches", r.qemuMatches());
            m.put("jqcow-matches", r.jqcowMatches());
            m.put("details", r.details());
            out.add(m);
        }
        Object doc = out.size() == 1 ? out.get(0) : out;
        env.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
