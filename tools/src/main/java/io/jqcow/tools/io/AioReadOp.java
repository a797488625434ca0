package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import java.util.concurrent.CompletableFuture;

/**
 * aio_read [-qv] [-P pattern] off len [len..]: submitted through the node's async API; the report is
 * printed when it completes. Like qemu-io, only submission errors make the command fail.
 */
final class AioReadOp implements IoOperation {

    @Override
    public String name() {
        return "aio_read";
    }

    @Override
    public String usage() {
        return "aio_read [-Ciqv] [-P pattern] off len [len..] -- asynchronously reads a number of bytes";
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
        CompletableFuture<Void> io;
        try {
            s.checkBounds(req.offset(), req.bytes());
            io = s.node().readAsync(req.offset(), req.vector(), 0);
        } catch (BlockException | RuntimeException e) {
            io = CompletableFuture.failedFuture(e);
        }
        s.track(io.handle((v, err) -> {
            long nanos = System.nanoTime() - start;
            if (err != null) {
                s.println("readv failed: " + IoSession.describe(err));
            } else {
                req.readCheck().finish(s, req.offset(), req.vector().toByteArray(), nanos);
            }
            return null;
        }));
    }
}
