package io.jqcow.tools.io;

import io.jqcow.block.BlockException;

/** readv [-qv] [-P pattern] off len [len..]: one buffer per length. */
final class ReadvOp implements IoOperation {

    @Override
    public String name() {
        return "readv";
    }

    @Override
    public String usage() {
        return "readv [-Cqv] [-P pattern] off len [len..] -- reads a number of bytes at a specified offset";
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
        return "CP:qv";
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        VectorRequest req = VectorRequest.parse(s, args, this, IoSession.READ_FILL);
        long start = System.nanoTime();
        try {
            s.checkBounds(req.offset(), req.vector().size());
            s.node().read(req.offset(), req.vector(), 0);
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("readv failed: " + IoSession.describe(e));
        }
        long nanos = System.nanoTime() - start;
        if (!req.readCheck().finish(s, req.offset(), req.vector().toByteArray(), nanos)) {
            throw CommandFailed.silent();
        }
    }
}
