package io.jqcow.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request layer's async fast path for plain reads and writes: no request thread at all. It
 * applies only when nothing of the layer's own work is needed: the request is aligned (no padding
 * or read-modify-write), goes to the driver in one call, is not serialising, reads nothing past the
 * cached length, and no serialising request blocks it. Then the tracked request begins on the
 * caller's thread, the driver starts the I/O ({@link BlockDriver#tryReadAsync}), and whatever
 * thread finishes the I/O (with linux-aio, its reaper) ends the request and completes the future.
 *
 * <p>Everything else returns null and takes the layer's usual path. Once the tracked request has
 * begun, a conflict or a driver that declines hands it, as it is, to a request thread that waits for
 * conflicts and does the sync call, so the request keeps its place in the registration order.
 */
final class DirectAsync {

    private final BlockDriver driver;
    private final TrackedRequests tracked;
    private final RequestGate gate;
    private final AlignedIo io;
    private final RequestThreads threads;
    private final int align;

    DirectAsync(BlockDriver driver, TrackedRequests tracked, RequestGate gate, AlignedIo io,
                RequestThreads threads) {
        this.driver = driver;
        this.tracked = tracked;
        this.gate = gate;
        this.io = io;
        this.threads = threads;
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
        return onThread(req, () -> io.read(req, offset, qiov, flags));
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
        return onThread(req, () -> io.write(req, offset, qiov, flags));
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

    @FunctionalInterface
    private interface Work {
        void run() throws BlockException;
    }

    /** The usual path for an already begun request: wait for conflicts and do the I/O on a request thread. */
    private CompletableFuture<Void> onThread(TrackedRequest req, Work work) {
        AtomicBoolean claimed = new AtomicBoolean();
        CompletableFuture<Void> future = threads.submit(() -> {
            claimed.set(true);
            try {
                req.waitForConflicts();
                work.run();
                return null;
            } finally {
                tracked.end(req);
                gate.exit();
            }
        });
        // A pool that refused the task completed the future without running it: clean up here.
        if (future.isDone() && claimed.compareAndSet(false, true)) {
            tracked.end(req);
            gate.exit();
        }
        return future;
    }
}
