package io.jqcow.tools.io;

import io.jqcow.block.BlockException;

/** flush: makes written data durable (qemu-io prints nothing on success). */
final class FlushOp implements IoOperation {

    @Override
    public String name() {
        return "flush";
    }

    @Override
    public String usage() {
        return "flush -- flush all in-core file state to disk";
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
            s.node().flush();
        } catch (BlockException | RuntimeException e) {
            s.error("flush failed: " + IoSession.describe(e));
            throw CommandFailed.silent();
        }
    }
}
