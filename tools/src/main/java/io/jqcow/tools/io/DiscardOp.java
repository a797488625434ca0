package io.jqcow.tools.io;

import io.jqcow.block.BlockException;

/** discard [-q] off len */
final class DiscardOp implements IoOperation {

    @Override
    public String name() {
        return "discard";
    }

    @Override
    public String usage() {
        return "discard [-Cq] off len -- discards a number of bytes at a specified offset";
    }

    @Override
    public int minArgs() {
        return 2;
    }

    @Override
    public int maxArgs() {
        return -1;
    }

    @Override
    public String optionSpec() {
        return "Cq";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        boolean quiet = args.options().stream().anyMatch(o -> o.letter() == 'q');
        boolean machine = args.options().stream().anyMatch(o -> o.letter() == 'C');
        if (args.operands().size() != 2) {
            throw new CommandFailed(usage());
        }
        long offset = s.number(args.operands().get(0));
        long bytes = s.length(args.operands().get(1));
        long start = System.nanoTime();
        try {
            s.checkBounds(offset, bytes);
            s.node().discard(offset, bytes);
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("discard failed: " + IoSession.describe(e));
        }
        long nanos = System.nanoTime() - start;
        if (!quiet) {
            s.print(Stats.report("discard", bytes, offset, nanos, machine));
        }
    }
}
