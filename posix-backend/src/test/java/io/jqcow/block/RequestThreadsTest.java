package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Uninterruptibles;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestThreadsTest {

    @Test
    void taskSubmittedByACompletionCallbackRunsOnTheCompletingThread() throws Exception {
        try (RequestThreads threads = new RequestThreads("t", 4)) {
            AtomicReference<Thread> first = new AtomicReference<>();
            CompletableFuture<Thread> second = new CompletableFuture<>();
            CountDownLatch callbackRegistered = new CountDownLatch(1);
            // The task waits until the callback is in place, so the pool thread is the one running it.
            threads.submit(() -> {
                first.set(Thread.currentThread());
                Uninterruptibles.awaitUninterruptibly(callbackRegistered);
                return null;
            }).whenComplete((v, e) -> threads.submit(() -> Thread.currentThread())
                    .whenComplete((t, e2) -> second.complete(t)));
            callbackRegistered.countDown();
            Thread ranOn = second.get(10, TimeUnit.SECONDS);
            assertSame(first.get(), ranOn, "no handoff to another pool thread");
        }
    }

    /** Each completion sends the next task: a long chain must loop, not grow the stack. */
    @Test
    void longChainsOfFollowUpsDoNotOverflowTheStack() throws Exception {
        try (RequestThreads threads = new RequestThreads("t", 2)) {
            int length = 100_000;
            AtomicInteger ran = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            chain(threads, ran, length, done);
            done.get(60, TimeUnit.SECONDS);
            assertEquals(length, ran.get());
        }
    }

    private static void chain(RequestThreads threads, AtomicInteger ran, int length, CompletableFuture<Void> done) {
        threads.submit(ran::incrementAndGet).whenComplete((n, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else if (n < length) {
                chain(threads, ran, length, done);
            } else {
                done.complete(null);
            }
        });
    }

    /** A task that submits from its body and waits must not be kept for its own thread (deadlock). */
    @Test
    void submissionsFromATaskBodyGoToThePool() throws Exception {
        try (RequestThreads threads = new RequestThreads("t", 2)) {
            CompletableFuture<Integer> outer = threads.submit(() -> {
                try {
                    return threads.submit(() -> 42).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new BlockException(Errno.EIO, -1, "inner task never ran: " + e);
                }
            });
            assertEquals(42, outer.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void failuresReachTheFutureAndClosedPoolsRefuse() throws Exception {
        RequestThreads threads = new RequestThreads("t", 1);
        CompletableFuture<Void> failing = threads.submit(() -> {
            throw new BlockException(Errno.ENOSPC, 7, "full");
        });
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> failing.get(10, TimeUnit.SECONDS));
        assertEquals(Errno.ENOSPC, ((BlockException) e.getCause()).errno());
        threads.close();
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> threads.submit(() -> 1).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof BlockException be && be.errno() == Errno.ECANCELED);
    }

    /** One request at a time: the idle thread takes each next one; no new thread per request. */
    @Test
    void anIdleThreadIsReusedBeforeANewOneStarts() throws Exception {
        try (RequestThreads threads = new RequestThreads("idle-reuse", 64)) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < 100; i++) {
                names.add(threads.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS));
                awaitPoolIdle("idle-reuse-");
            }
            assertEquals(1, names.size(), "threads used for 100 sequential requests: " + names);
        }
    }

    /** Waits (up to 10 s) until no thread of the pool is running: each is back waiting for work. */
    private static void awaitPoolIdle(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith(prefix) && t.getState() == Thread.State.RUNNABLE)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pool threads still running");
            }
            Thread.sleep(1);
        }
    }

    /** Busy threads make the pool grow to its limit; beyond it, requests wait their turn and all run. */
    @Test
    void busyThreadsMakeThePoolGrowAndRequestsBeyondTheLimitWait() throws Exception {
        try (RequestThreads threads = new RequestThreads("t", 4)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(4);
            java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(threads.submit(() -> {
                    names.add(Thread.currentThread().getName());
                    started.countDown();
                    Uninterruptibles.awaitUninterruptibly(release);
                    return null;
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS), "four requests run at once");
            assertEquals(4, names.size(), "one thread each, up to the limit");
            release.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertEquals(4, names.size(), "never more threads than the limit");
        }
    }
}
