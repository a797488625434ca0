package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.tools.cli.RequestBounds;
import java.util.concurrent.CompletableFuture;

/** aio_write [-fquz] [-P pattern] off len [len..]: an async write (or write-zeroes with -z). */
final class AioWriteOp implements IoOperation {

    @Override
    public String name() {
        return "aio_write";
    }

    @Override
    public String usage() {
        return "aio_write [-Cfiquz] [-P pattern] off len [len..] -- asynchronously writes a number of bytes";
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
        return "CfP:quz";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        VectorRequest req = VectorRequest.parse(s, args, this, (byte) IoSession.WRITE_PATTERN);
        long start = System.nanoTime();
        CompletableFuture<Void> io;
        try {
            if (req.zeroes()) {
                RequestBounds.checkZeroes(s.node(), req.offset(), req.bytes());
                io = s.node().writeZeroesAsync(req.offset(), req.bytes(), req.flags());
            } else {
                s.checkBounds(req.offset(), req.bytes());
                io = s.node().writeAsync(req.offset(), req.vector(), req.flags());
            }
        } catch (BlockException | RuntimeException e) {
            io = CompletableFuture.failedFuture(e);
        }
        s.track(io.handle((v, err) -> {
            long nanos = System.nanoTime() - start;
            if (err != null) {
                s.println("aio_write failed: " + IoSession.describe(err));
            } else if (!req.quiet()) {
                s.print(req.writeReport(nanos));
            }
            return null;
        }));
    }
}
