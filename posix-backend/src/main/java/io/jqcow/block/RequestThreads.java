package io.jqcow.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that runs the async requests of one image graph. Whoever opens the graph makes
 * one and passes it to every node; nodes never create their own. Threads are daemons, named
 * {@code prefix-N}, and die after a minute idle. A task must not block on another async request of
 * the same pool (with every thread waiting, the awaited task could never start).
 */
public final class RequestThreads implements AutoCloseable {
    public static final int DEFAULT_THREADS = 64;

    /** A blocking call that may fail with a BlockException. */
    @FunctionalInterface
    public interface IoTask<T> {
        T run() throws BlockException;
    }

    private final ThreadPoolExecutor executor;

    public RequestThreads() {
        this("jqcow-io", DEFAULT_THREADS);
    }

    public RequestThreads(String namePrefix, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("need at least one thread: " + threads);
        }
        AtomicInteger counter = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, namePrefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Runs task on the pool; the future completes with its result or its exception. */
    public <T> CompletableFuture<T> submit(IoTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    future.complete(task.run());
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new BlockException(Errno.ECANCELED, -1, "request threads are shut down", e));
        }
        return future;
    }

    /** Stops accepting tasks; queued ones still run. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
