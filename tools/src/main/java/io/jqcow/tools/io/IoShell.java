package io.jqcow.tools.io;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs qemu-io command lines against one session: splits a line on blanks (qemu-io knows no
 * quoting), finds the command, checks the argument count and writability, runs getopt and the
 * command. Remembers whether any command failed, which decides the exit status.
 */
final class IoShell {
    private static final List<IoOperation> OPERATIONS = List.of(new ReadOp(), new ReadvOp(), new WriteOp(),
            new WritevOp(), new AioReadOp(), new AioWriteOp(), new AioFlushOp(), new FlushOp(), new DiscardOp(),
            new TruncateOp(), new LengthOp(), new SleepOp(), new AllocOp(), new MapOp());

    private final IoSession session;
    private final Map<String, IoOperation> byName = new LinkedHashMap<>();
    private boolean failed;
    private boolean quit;

    IoShell(IoSession session) {
        this.session = session;
        for (IoOperation op : OPERATIONS) {
            byName.put(op.name(), op);
            op.aliases().forEach(a -> byName.put(a, op));
        }
    }

    /** True once any command has failed. */
    boolean failed() {
        return failed;
    }

    /** True after "quit": the remaining commands are skipped. */
    boolean quit() {
        return quit;
    }

    /** Runs one line; returns false if the command failed. */
    boolean execute(String line) {
        List<String> words = Arrays.stream(line.strip().split("[ \t\r\n]+")).filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) {
            return true;
        }
        String name = words.get(0);
        if (name.equals("quit") || name.equals("q")) {
            quit = true;
            return true;
        }
        if (name.equals("help") || name.equals("?")) {
            return help(words.subList(1, words.size()));
        }
        IoOperation op = byName.get(name);
        if (op == null) {
            session.errorLine("command \"" + name + "\" not found");
            return fail();
        }
        List<String> args = words.subList(1, words.size());
        if (args.size() < op.minArgs() || (op.maxArgs() >= 0 && args.size() > op.maxArgs())) {
            session.errorLine("bad argument count " + args.size() + " to " + op.name() + ", expected "
                    + expectation(op) + " arguments");
            return fail();
        }
        if (op.writes() && session.node().isReadOnly()) {
            session.error("Block node is read-only");
            return fail();
        }
        try {
            Getopt.Parsed parsed = Getopt.parse(op.name(), args, op.optionSpec());
            op.run(session, parsed);
            return true;
        } catch (Getopt.GetoptException e) {
            session.errorLine(e.getMessage());
            session.println(op.usage());
        } catch (CommandFailed e) {
            if (e.getMessage() != null) {
                session.println(e.getMessage());
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // A bug or an impossible allocation must not end the script: report it as this command's failure.
            session.error(op.name() + ": internal error: " + e);
        }
        return fail();
    }

    /** help [command]: the synopsis of one command, or of all of them in name order. */
    private boolean help(List<String> args) {
        if (args.size() > 1) {
            session.errorLine("bad argument count " + args.size() + " to help, expected between 0 and 1 arguments");
            return fail();
        }
        if (args.size() == 1) {
            IoOperation op = byName.get(args.get(0));
            if (op == null) {
                session.println("command " + args.get(0) + " not found");
                return fail();
            }
            session.println(op.usage());
            return true;
        }
        StringBuilder sb = new StringBuilder();
        OPERATIONS.stream().map(IoOperation::usage).sorted().forEach(u -> sb.append(u).append('\n'));
        sb.append("help [command] -- help for one or all commands\nquit -- exit the program\n");
        session.print(sb.toString());
        return true;
    }

    /** Waits for outstanding aio requests, as qemu-io does before it closes the image. */
    void finish() {
        session.drain();
    }

    private boolean fail() {
        failed = true;
        return false;
    }

    private static String expectation(IoOperation op) {
        if (op.maxArgs() < 0) {
            return "at least " + op.minArgs();
        }
        if (op.minArgs() == op.maxArgs()) {
            return String.valueOf(op.minArgs());
        }
        return "between " + op.minArgs() + " and " + op.maxArgs();
    }
}
