package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.tools.cli.HumanSize;

/** length: the node's size in qemu-io's human form ("64 KiB"). */
final class LengthOp implements IoOperation {

    @Override
    public String name() {
        return "length";
    }

    @Override
    public String usage() {
        return "length -- gets the length of the current file";
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
            s.println(HumanSize.of(s.node().length()));
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("getlength: " + IoSession.describe(e));
        }
    }
}
