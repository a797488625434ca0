package io.jqcow.tools.io;

import io.jqcow.block.BlockException;

/** writev [-fq] [-P pattern] off len [len..]: one buffer per length, default pattern 0xcd. */
final class WritevOp implements IoOperation {

    @Override
    public String name() {
        return "writev";
    }

    @Override
    public String usage() {
        return "writev [-Cfq] [-P pattern] off len [len..] -- writes a number of bytes at a specified offset";
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
        return "CfP:q";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        VectorRequest req = VectorRequest.parse(s, args, this, (byte) IoSession.WRITE_PATTERN);
        long start = System.nanoTime();
        try {
            s.checkBounds(req.offset(), req.bytes());
            s.node().write(req.offset(), req.vector(), req.flags());
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("writev failed: " + IoSession.describe(e));
        }
        long nanos = System.nanoTime() - start;
        if (!req.quiet()) {
            s.print(req.writeReport(nanos));
        }
    }
}
