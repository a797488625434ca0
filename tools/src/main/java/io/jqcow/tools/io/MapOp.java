package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.tools.cli.HumanSize;

/** map: the whole device as runs of allocated and not allocated bytes in this layer. */
final class MapOp implements IoOperation {

    @Override
    public String name() {
        return "map";
    }

    @Override
    public String usage() {
        return "map  -- prints the allocated areas of a file";
    }

    @Override
    public int minArgs() {
        return 0;
    }

    @Override
    public int maxArgs() {
        return 0;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        try {
            long length = s.node().length();
            for (long at = 0; at < length; ) {
                Allocation.Run run = Allocation.runAt(s.node(), at, length - at);
                s.println(HumanSize.of(run.length()) + " (0x" + Long.toHexString(run.length()) + ") bytes "
                        + (run.allocated() ? "   " : "not") + " allocated at offset " + HumanSize.of(at)
                        + " (0x" + Long.toHexString(at) + ")");
                at += run.length();
            }
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("Failed to get allocation status: " + IoSession.describe(e));
        }
    }
}
