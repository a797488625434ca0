package io.jqcow.block;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A RecordingDriver with an async engine: tryReadAsync/tryWriteAsync run the inner driver's call on
 * a single "completer" thread (standing in for the linux-aio reaper) and complete from there. Every
 * call, sync or async, is checked against the others in flight with a {@link ConflictChecker}; an
 * async call counts as in flight from its submission to its completion.
 */
class AsyncRecordingDriver extends CheckedDriver {
    static final String COMPLETER = "async-completer";

    final AtomicInteger asyncReads = new AtomicInteger();
    final AtomicInteger asyncWrites = new AtomicInteger();
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, COMPLETER);
        t.setDaemon(true);
        return t;
    });
    /** When set, the next async call fails with this instead of doing its I/O. */
    volatile BlockException failNext;
    /** When set, the async calls throw this (a broken driver) instead of starting. */
    volatile RuntimeException throwOnStart;

    AsyncRecordingDriver(BlockDriver inner) {
        super(inner);
    }

    private boolean async(RequestContext ctx, Call call, IoCompletion done) {
        if (throwOnStart != null) {
            throw throwOnStart;
        }
        TrackedRequest r = (TrackedRequest) ctx;
        checker.enter(r); // in flight from here: the kernel may already be doing it
        completer.execute(() -> {
            Throwable failure = failNext;
            failNext = null;
            if (failure == null) {
                LockSupport.parkNanos(20_000);
                try {
                    call.run();
                } catch (BlockException | RuntimeException e) {
                    failure = e;
                }
            }
            checker.exit(r);
            done.done(failure);
        });
        return true;
    }

    @Override
    public boolean tryReadAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        asyncReads.incrementAndGet();
        return async(ctx, () -> uncheckedRead(ctx, offset, qiov, flags), done);
    }

    @Override
    public boolean tryWriteAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        asyncWrites.incrementAndGet();
        return async(ctx, () -> uncheckedWrite(ctx, offset, qiov, flags), done);
    }

    @Override
    public void close() throws BlockException {
        completer.shutdown();
        super.close();
    }
}
