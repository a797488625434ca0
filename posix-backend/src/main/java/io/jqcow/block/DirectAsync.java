package io.jqcow.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The request layer's async fast path for plain reads and writes: no request thread at all. It
 * applies only when nothing of the layer's own work is needed: the request is aligned (no padding
 * or read-modify-write), goes to the driver in one call, is not serialising, reads nothing past the
 * cached length, and no serialising request blocks it. Then the tracked request begins on the
 * caller's thread, the driver starts the I/O ({@link BlockDriver#tryReadAsync}), and whatever
 * thread finishes the I/O (with linux-aio, its reaper) ends the request and completes the future.
 *
 * <p>Everything else returns null and takes the layer's usual path. When a conflict or a driver
 * that declines is found only after the tracked request began, the request is ended again (it has
 * done nothing) before the usual path registers it anew on a request thread. It must not be handed
 * to the pool already registered: queued behind busy threads it would block, as an earlier request,
 * the very requests those threads wait in, and with every thread waiting nothing would move.
 */
final class DirectAsync {

    private final BlockDriver driver;
    private final TrackedRequests tracked;
    private final RequestGate gate;
    private final AlignedIo io;
    private final int align;

    DirectAsync(BlockDriver driver, TrackedRequests tracked, RequestGate gate, AlignedIo io) {
        this.driver = driver;
        this.tracked = tracked;
        this.gate = gate;
        this.io = io;
        this.align = io.align();
    }

    /** The fast path for a read, or null when the request is not one for it. */
    CompletableFuture<Void> read(long offset, IoVector qiov, int flags) {
        long size = qiov.size();
        if (!plain(offset, size, flags) || offset + size > io.readableEnd()) {
            return null;
        }
        TrackedRequest req;
        try {
            req = begin(RequestType.READ, offset, size);
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e); // the node is closed
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        // Re-check the length now that a truncate can no longer slip in unseen.
        if (offset + size <= io.readableEnd() && tracked.canPassWithoutWaiting(req)
                && start(() -> driver.tryReadAsync(req, offset, qiov, flags, finisher(req, f, -1)), req, f)) {
            return f;
        }
        return giveUp(req);
    }

    /** The fast path for a write, or null when the request is not one for it. */
    CompletableFuture<Void> write(long offset, IoVector qiov, int flags) {
        long size = qiov.size();
        if (!plain(offset, size, flags) || driver.isReadOnly()) {
            return null; // a read-only node's EPERM comes from the usual path
        }
        TrackedRequest req;
        try {
            req = begin(RequestType.WRITE, offset, size);
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e); // the node is closed
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (tracked.canPassWithoutWaiting(req)
                && start(() -> driver.tryWriteAsync(req, offset, qiov, flags, finisher(req, f, offset + size)), req, f)) {
            return f;
        }
        return giveUp(req);
    }

    /** Aligned, non-empty, in range, one driver call, not serialising. */
    private boolean plain(long offset, long size, int flags) {
        return size > 0 && offset >= 0 && offset <= RequestLayer.MAX_END - size
                && AlignMath.aligned(offset, align) && AlignMath.aligned(size, align) && io.fitsOneCall(size)
                && !RequestFlags.has(flags, RequestFlags.SERIALISING);
    }

    /** Enters the gate (EBADF when the node is closed) and registers the request. */
    private TrackedRequest begin(RequestType type, long offset, long size) throws BlockException {
        gate.enter();
        return tracked.begin(type, offset, size, false);
    }

    @FunctionalInterface
    private interface Attempt {
        boolean run();
    }

    /** Runs the driver's attempt; a driver that throws instead of declining fails the request. */
    private boolean start(Attempt attempt, TrackedRequest req, CompletableFuture<Void> f) {
        try {
            return attempt.run();
        } catch (RuntimeException e) {
            tracked.end(req);
            gate.exit();
            f.completeExceptionally(e);
            return true;
        }
    }

    /** The driver's completion: raise the length after a write, end the request, then tell the caller. */
    private IoCompletion finisher(TrackedRequest req, CompletableFuture<Void> f, long writeEnd) {
        return failure -> {
            if (failure == null && writeEnd > 0) {
                io.raiseLength(writeEnd);
            }
            tracked.end(req);
            gate.exit();
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure);
            }
        };
    }

    /** Undoes begin() for a request that did nothing, so the usual path can take it. */
    private CompletableFuture<Void> giveUp(TrackedRequest req) {
        tracked.end(req);
        gate.exit();
        return null;
    }
}
