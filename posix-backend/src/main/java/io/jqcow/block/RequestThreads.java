package io.jqcow.block;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that runs the async requests of one image graph. Whoever opens the graph makes
 * one and passes it to every node; nodes never create their own. Threads are daemons, named
 * {@code prefix-N}, and die after a minute idle. A task must not block on another async request of
 * the same pool (with every thread waiting, the awaited task could never start).
 *
 * <p>A task submitted by a completion callback that runs on one of these threads while that thread
 * completes its task's future (the usual "when one request ends, send the next" pattern) is run by
 * the same thread right after, instead of waking an idle one: one thread handoff less per request.
 */
public final class RequestThreads implements AutoCloseable {
    public static final int DEFAULT_THREADS = 64;

    /** A blocking call that may fail with a BlockException. */
    @FunctionalInterface
    public interface IoTask<T> {
        T run() throws BlockException;
    }

    private final ThreadPoolExecutor executor;
    /** Per pool thread: tasks submitted while it completes a task's future wait here for it. */
    private final ThreadLocal<FollowUps> followUps = new ThreadLocal<>();

    private static final class FollowUps {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        boolean completing;
    }

    public RequestThreads() {
        this("jqcow-io", DEFAULT_THREADS);
    }

    public RequestThreads(String namePrefix, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("need at least one thread: " + threads);
        }
        AtomicInteger counter = new AtomicInteger();
        HandOffQueue queue = new HandOffQueue();
        // No core threads: a task goes to an idle thread when there is one, else a new thread starts
        // (up to the limit), else it waits in the queue, as QEMU's pool does. A pool with core ==
        // max started a thread for each of its first 64 tasks even with idle ones around: a 4 GiB
        // convert started 80 threads in all, now 30, each start paid in the copy's first 100 ms.
        executor = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, namePrefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (r, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("request threads are shut down");
            }
            queue.put(r); // every thread busy and the limit reached: wait for one
        }) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                runFollowUps();
            }
        };
    }

    /**
     * The executor offers a task here before it considers a new thread; the offer only succeeds
     * when a thread is already waiting to take it, so idle threads are used first and threads are
     * added only while every one is busy. Tasks that find the pool at its limit are put here by the
     * rejection handler and wait their turn.
     */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable r) {
            return tryTransfer(r);
        }
    }

    /** Runs task on the pool; the future completes with its result or its exception. */
    public <T> CompletableFuture<T> submit(IoTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Runnable run = () -> {
            T value;
            try {
                value = task.run();
            } catch (Throwable t) {
                complete(future, null, t);
                return;
            }
            complete(future, value, null);
        };
        FollowUps mine = followUps.get();
        if (mine != null && mine.completing && !executor.isShutdown()) {
            mine.tasks.addLast(run); // this thread runs it as soon as its current task returns
            return future;
        }
        try {
            executor.execute(run);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new BlockException(Errno.ECANCELED, -1, "request threads are shut down", e));
        }
        return future;
    }

    /** Completes a task's future; callbacks' submissions meanwhile are kept for this thread. */
    private <T> void complete(CompletableFuture<T> future, T value, Throwable failure) {
        FollowUps mine = followUps.get();
        if (mine == null) {
            mine = new FollowUps();
            followUps.set(mine);
        }
        boolean was = mine.completing;
        mine.completing = true;
        try {
            if (failure == null) {
                future.complete(value);
            } else {
                future.completeExceptionally(failure);
            }
        } finally {
            mine.completing = was;
        }
    }

    /** Runs (in order, without recursion) what this thread's completions submitted. */
    private void runFollowUps() {
        FollowUps mine = followUps.get();
        if (mine == null) {
            return;
        }
        for (Runnable r = mine.tasks.pollFirst(); r != null; r = mine.tasks.pollFirst()) {
            r.run();
        }
    }

    /** Stops accepting tasks; queued ones still run. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
