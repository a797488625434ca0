package io.jqcow.tools.io;

import io.jqcow.block.BlockException;

/** aio_flush: waits for every outstanding aio request, then flushes. */
final class AioFlushOp implements IoOperation {

    @Override
    public String name() {
        return "aio_flush";
    }

    @Override
    public String usage() {
        return "aio_flush -- completes all outstanding aio requests";
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
        s.drain();
        try {
            s.node().flush();
        } catch (BlockException | RuntimeException e) {
            s.error("aio_flush failed: " + IoSession.describe(e));
            throw CommandFailed.silent();
        }
    }
}
