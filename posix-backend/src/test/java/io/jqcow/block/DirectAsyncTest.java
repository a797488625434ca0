package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request layer's async fast path against a driver with an async engine (DirectAsync). */
class DirectAsyncTest {
    private static final int BLOCK = 4096;
    private static final Limits LIMITS = new Limits(BLOCK, 1, 1, 4 * BLOCK, 0, 0);

    private RequestThreads threads;

    @BeforeEach
    void start() {
        threads = new RequestThreads("direct-test", 4);
    }

    @AfterEach
    void stop() {
        threads.close();
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /**
     * The thread that ran a callback attached now: the driver's completer, or this thread when the
     * request already finished; a request thread only if the request went the usual way.
     */
    private static String completionThread(CompletableFuture<Void> f) throws Exception {
        AtomicReference<String> name = new AtomicReference<>();
        CompletableFuture<Void> after = f.whenComplete((v, e) -> name.compareAndSet(null, Thread.currentThread().getName()));
        after.get(30, TimeUnit.SECONDS);
        return name.get();
    }

    @Test
    void alignedReadsAndWritesCompleteOnTheDriversThreadWithoutRequestThreads() throws Exception {
        AsyncRecordingDriver driver = new AsyncRecordingDriver(new MemoryDriver("m", 16 * BLOCK, LIMITS, true, false));
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            byte[] data = pattern(2 * BLOCK, 7);
            // A write that ends past the cached length grows the node once it completes.
            CompletableFuture<Void> w = node.writeAsync(15 * BLOCK, IoVector.wrap(data), 0);
            assertFalse(completionThread(w).startsWith("direct-test"));
            assertEquals(17L * BLOCK, node.length());
            byte[] back = new byte[2 * BLOCK];
            CompletableFuture<Void> r = node.readAsync(15 * BLOCK, IoVector.wrap(back), 0);
            assertFalse(completionThread(r).startsWith("direct-test"));
            assertArrayEquals(data, back);
            assertEquals(1, driver.asyncWrites.get());
            assertEquals(1, driver.asyncReads.get());
            assertEquals(0, node.trackedRequests().inFlightCount());
        }
    }

    @Test
    void paddedSplitSerialisingAndPastEofRequestsTakeTheUsualPath() throws Exception {
        AsyncRecordingDriver driver = new AsyncRecordingDriver(new MemoryDriver("m", 16 * BLOCK, LIMITS, true, false));
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            byte[] small = pattern(100, 3);
            node.writeAsync(1000, IoVector.wrap(small), 0).get(30, TimeUnit.SECONDS); // read-modify-write
            byte[] big = pattern(8 * BLOCK, 5); // twice maxTransfer: split
            node.writeAsync(4 * BLOCK, IoVector.wrap(big), 0).get(30, TimeUnit.SECONDS);
            byte[] back = new byte[100];
            node.readAsync(1000, IoVector.wrap(back), RequestFlags.SERIALISING).get(30, TimeUnit.SECONDS);
            assertArrayEquals(small, back);
            byte[] pastEof = new byte[2 * BLOCK];
            Arrays.fill(pastEof, (byte) 1);
            node.readAsync(15 * BLOCK, IoVector.wrap(pastEof), 0).get(30, TimeUnit.SECONDS);
            assertTrue(IoVector.wrap(pastEof).isZero());
            byte[] bigBack = new byte[8 * BLOCK];
            node.read(4 * BLOCK, IoVector.wrap(bigBack), 0);
            assertArrayEquals(big, bigBack);
            assertEquals(0, driver.asyncWrites.get() + driver.asyncReads.get());
            assertEquals(List.of(), driver.checker.violations());
        }
    }

    @Test
    void laterOverlappingAsyncWriteWaitsForASerialisingOne() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AsyncRecordingDriver driver = new AsyncRecordingDriver(new MemoryDriver("m", 16 * BLOCK, LIMITS, true, false)) {
            @Override
            public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
                if (ctx instanceof TrackedRequest t && t.isSerialising()) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.write(ctx, offset, qiov, flags);
            }
        };
        RequestLayer node = new RequestLayer(driver, threads);
        try {
            CompletableFuture<Void> first = node.writeAsync(0, IoVector.wrap(pattern(BLOCK, 1)), RequestFlags.SERIALISING);
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            byte[] second = pattern(2 * BLOCK, 2);
            CompletableFuture<Void> overlapping = node.writeAsync(0, IoVector.wrap(second), 0);
            // Elsewhere the fast path is open even now.
            CompletableFuture<Void> elsewhere = node.writeAsync(8 * BLOCK, IoVector.wrap(pattern(BLOCK, 3)), 0);
            elsewhere.get(30, TimeUnit.SECONDS);
            assertFalse(first.isDone());
            assertFalse(overlapping.isDone());
            assertEquals(1, driver.asyncWrites.get(), "only the non-overlapping write went the async way");
            // The serialising write is still parked before it records itself: only "elsewhere" is in.
            assertEquals(List.of(new RecordingDriver.Call("write", 8 * BLOCK, BLOCK, 0)), driver.calls("write"),
                    "the overlapping write must not reach the driver yet");
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            overlapping.get(30, TimeUnit.SECONDS);
            byte[] back = new byte[2 * BLOCK];
            node.read(0, IoVector.wrap(back), 0);
            assertArrayEquals(second, back, "the later write must land after the serialising one");
            assertEquals(List.of(), driver.checker.violations());
        } finally {
            release.countDown(); // a failed assertion must not leave close waiting for the parked write
            node.close();
        }
    }

    @Test
    void driverFailureFailsTheFutureAndEndsTheRequest() throws Exception {
        AsyncRecordingDriver driver = new AsyncRecordingDriver(new MemoryDriver("m", 16 * BLOCK, LIMITS, true, false));
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            BlockException eio = BlockException.eio(20 * BLOCK, "injected");
            driver.failNext = eio;
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> node.writeAsync(20 * BLOCK, IoVector.wrap(new byte[BLOCK]), 0).get(30, TimeUnit.SECONDS));
            assertSame(eio, e.getCause());
            assertEquals(16L * BLOCK, node.length(), "a failed write past EOF must not grow the node");
            driver.throwOnStart = new IllegalStateException("broken driver");
            e = assertThrows(ExecutionException.class,
                    () -> node.readAsync(0, IoVector.wrap(new byte[BLOCK]), 0).get(30, TimeUnit.SECONDS));
            assertSame(driver.throwOnStart, e.getCause());
            assertEquals(0, node.trackedRequests().inFlightCount());
        }
    }

    @Test
    void closedNodeRefusesTheFastPathWithEbadf() throws Exception {
        AsyncRecordingDriver driver = new AsyncRecordingDriver(new MemoryDriver("m", 16 * BLOCK, LIMITS, true, false));
        RequestLayer node = new RequestLayer(driver, threads);
        node.close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> node.readAsync(0, IoVector.wrap(new byte[BLOCK]), 0).get(30, TimeUnit.SECONDS));
        assertEquals(Errno.EBADF, ((BlockException) e.getCause()).errno());
        assertEquals(0, driver.asyncReads.get());
    }
}
