package io.jqcow.tools;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jqcow replay SCENARIO}: replays a named corruption or race scenario and checks its promise. */
@Command(name = "replay", description = "Replay a named scenario and check its outcome.",
        subcommands = {ReplayXfsCommand.class})
public final class ReplayCommand implements Callable<Integer> {
    private final ToolEnv env;

    @Spec
    CommandSpec spec;

    public ReplayCommand(ToolEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        env.error("replay: expected a scenario name; available: "
                + String.join(", ", spec.subcommands().keySet()));
        return 1;
    }
}
