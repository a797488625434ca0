package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.PreallocMode;
import java.util.Locale;

/** truncate [-m prealloc_mode] off */
final class TruncateOp implements IoOperation {

    @Override
    public String name() {
        return "truncate";
    }

    @Override
    public String usage() {
        return "truncate [-m prealloc_mode] off -- truncates the current file at the given offset";
    }

    @Override
    public int minArgs() {
        return 1;
    }

    @Override
    public int maxArgs() {
        return 3;
    }

    @Override
    public String optionSpec() {
        return "m:";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        PreallocMode mode = PreallocMode.OFF;
        for (Getopt.Option o : args.options()) {
            mode = mode(s, o.value());
        }
        if (args.operands().size() != 1) {
            throw new CommandFailed(usage());
        }
        long size = s.number(args.operands().get(0));
        try {
            s.node().truncate(size, true, mode);
        } catch (BlockException | RuntimeException e) {
            s.error(e instanceof BlockException ? e.getMessage() : IoSession.describe(e));
            throw CommandFailed.silent();
        }
    }

    private static PreallocMode mode(IoSession s, String name) throws CommandFailed {
        for (PreallocMode m : PreallocMode.values()) {
            if (m.qemuName().equals(name.toLowerCase(Locale.ROOT)) && m.qemuName().equals(name)) {
                return m;
            }
        }
        s.error("Invalid preallocation mode '" + name + "'");
        throw CommandFailed.silent();
    }
}
