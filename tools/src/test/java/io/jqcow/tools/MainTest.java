package io.jqcow.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.tools.testing.CliRun;
import io.jqcow.tools.testing.MemoryNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Usage errors anywhere on the command line: one "jqcow: ..." line on stderr and exit status 1. */
class MainTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--bogus|jqcow: unrecognized option '--bogus'",
        "bogus|jqcow: Command not found: bogus",
        "io -x -c length f|jqcow: unrecognized option '-x'",
        "io --bogus|jqcow: unrecognized option '--bogus'",
        "io -c length|jqcow: Missing required parameter: 'FILE'",
        "io -c length a b|jqcow: unexpected argument 'b'",
        "io -c|jqcow: Missing required parameter for option '--cmd' (STRING)",
        "bench -c|jqcow: missing argument for option '-c'",
        "bench -s 1.5 f|jqcow: Invalid buffer size specified. You may use k, M, G, T, P or E suffixes for"})
    void badUsageIsOneLineAndExitOne(String args, String firstLine) {
        CliRun r = CliRun.run(new MemoryNode(512), args.split(" "));
        assertEquals(1, r.exitCode());
        assertEquals(firstLine, r.err().split("\n")[0]);
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("jqcow: ") || l.startsWith("Try 'jqcow --help'")),
                r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "info --bogus f|true", "bogus|true", "bench -c|true", "info a b|true", "io --bogus|false", "io -c|false"})
    void qemuImgStyleErrorsPointToHelpLikeQemuImg(String args, boolean tryLine) {
        CliRun r = CliRun.run(new MemoryNode(512), args.split(" "));
        assertEquals(1, r.exitCode());
        assertEquals(tryLine, r.err().contains("\nTry 'jqcow --help' for more information\n"), r.err());
    }

    @Test
    void noArgumentsIsAnError() {
        CliRun r = CliRun.run(new MemoryNode(512));
        assertEquals("jqcow: Not enough arguments\n", r.err());
        assertEquals(1, r.exitCode());
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun help = CliRun.run(new MemoryNode(512), "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("bench") && help.out().contains("io"), help.out());
        CliRun v = CliRun.run(new MemoryNode(512), "--version");
        assertEquals("jqcow 0.1.0\n", v.out());
        CliRun ioHelp = CliRun.run(new MemoryNode(512), "io", "--help");
        assertEquals(0, ioHelp.exitCode());
        assertTrue(ioHelp.out().contains("--cmd"));
    }

    @Test
    void unexpectedExceptionsBecomeOneLine() {
        CliRun r = CliRun.runWith((p, o) -> {
            throw new IllegalStateException("boom");
        }, "", new java.util.ArrayList<>(), "io", "-c", "length", "f");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count());
        assertTrue(r.err().startsWith("jqcow: internal error: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void everySubcommandIsRegisteredUnderItsOwnName() {
        ToolEnv env = ToolEnv.system();
        Main.SUBCOMMANDS.forEach(name ->
                assertEquals(name, new picocli.CommandLine(Main.subcommand(name, env)).getCommandName()));
        assertNull(Main.subcommand("nope", env));
        picocli.CommandLine full = Main.commandLine(env, new String[0]);
        assertEquals(Main.SUBCOMMANDS, List.copyOf(full.getSubcommands().keySet()));
    }

    @Test
    void aNamedSubcommandBuildsOnlyThatOne() {
        picocli.CommandLine cl = Main.commandLine(ToolEnv.system(), new String[] {"info", "x"});
        assertEquals(java.util.Set.of("info"), cl.getSubcommands().keySet());
        picocli.CommandLine replay = Main.commandLine(ToolEnv.system(), new String[] {"replay", "--list"});
        assertTrue(replay.getSubcommands().get("replay").getSubcommands().containsKey("xfs-fallocate-race"));
    }

    @Test
    void versionAloneBuildsNoSubcommand() {
        assertTrue(Main.commandLine(ToolEnv.system(), new String[] {"--version"}).getSubcommands().isEmpty());
        assertEquals(Main.SUBCOMMANDS.size(),
                Main.commandLine(ToolEnv.system(), new String[] {"--help"}).getSubcommands().size());
    }

    @Test
    void realOpenerIsTheDefault() {
        assertTrue(ToolEnv.system().opener() == ImageOpener.IMAGES);
    }
}
