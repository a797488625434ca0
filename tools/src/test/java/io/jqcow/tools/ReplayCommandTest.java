package io.jqcow.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jqcow.fixtures.Host;
import io.jqcow.fixtures.corpus.Scenarios;
import io.jqcow.tools.testing.CliRun;
import org.junit.jupiter.api.Test;

class ReplayCommandTest {

    @Test
    void listNamesEveryCorpusScenarioAndTheXfsRace() {
        CliRun r = CliRun.run(null, "replay", "--list");
        assertEquals(0, r.exitCode(), r.err());
        long lines = r.out().lines().count();
        assertEquals(Scenarios.all().size() + 1, lines);
        assertTrue(r.out().contains(ReplayCommand.XFS_RACE + "\t"));
    }

    @Test
    void replaysOneScenarioAsJson() throws Exception {
        Host.assumeQemu();
        CliRun r = CliRun.run(null, "replay", "--json", "leaked-cluster");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals("leaked-cluster", n.get("name").asText());
        assertTrue(n.get("passed").asBoolean());
        assertTrue(n.get("qemu-matches").asBoolean());
    }

    @Test
    void unknownScenarioIsAOneLineErrorWithExit1() {
        CliRun r = CliRun.run(null, "replay", "no-such-scenario");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("Unknown scenario 'no-such-scenario'"), r.err());
    }
}
