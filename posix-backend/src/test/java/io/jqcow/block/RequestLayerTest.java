package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bounds, EOF, cached length, read-only refusal, splitting, truncate, block status, close. */
class RequestLayerTest {
    private static final Limits A4K = new Limits(4096, 1, 1, 0, 0, 0);
    private final RequestThreads threads = new RequestThreads("layer-test", 4);

    @AfterEach
    void stop() {
        threads.close();
    }

    private static byte[] filled(int size, int value) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static Errno errnoOf(Executable call) {
        BlockException e = assertThrows(BlockException.class, call::run);
        return e.errno();
    }

    @FunctionalInterface
    private interface Executable {
        void run() throws Exception;
    }

    @Test
    void negativeOrOverflowingRequestsAreInvalid() throws BlockException {
        try (RequestLayer node = MemoryDriver.node(8192, A4K, threads)) {
            byte[] b = new byte[10];
            assertEquals(Errno.EINVAL, errnoOf(() -> node.read(-1, b, 0, 10)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.write(-4096, b, 0, 10)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.writeZeroes(0, -1, 0)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.discard(-1, 4096)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.truncate(-1, true, PreallocMode.OFF)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.write(Long.MAX_VALUE - 5, b, 0, 10)));
            assertEquals(8192, node.length());
        }
    }

    @Test
    void readPastEofIsZeroFilledAndStraddlingReadKeepsTheDataPart() throws BlockException {
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(8192, A4K));
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(0, filled(8192, 0x5a), 0, 8192);
            byte[] past = filled(5000, 0x11);
            node.read(20000, past, 0, past.length);
            assertArrayEquals(new byte[5000], past);
            byte[] straddle = filled(6000, 0x11);
            node.read(5000, straddle, 0, straddle.length);
            byte[] expected = new byte[6000];
            Arrays.fill(expected, 0, 3192, (byte) 0x5a);
            assertArrayEquals(expected, straddle);
            // the driver never saw a read starting at or past EOF (MemoryDriver would have thrown)
            assertTrue(rec.calls("read").stream().allMatch(c -> c.offset() < 8192));
            assertEquals(8192, node.length(), "reads never change the length");
        }
    }

    @Test
    void readStraddlingAnUnalignedEofReadsTheLastPartialBlock() throws BlockException {
        MemoryDriver mem = new MemoryDriver(10000, A4K);
        try (RequestLayer node = new RequestLayer(mem, threads)) {
            node.write(8192, filled(4096, 7), 0, 4096);
            node.truncate(10000, true, PreallocMode.OFF);
            byte[] got = filled(4000, 1);
            node.read(9000, got, 0, got.length);
            byte[] expected = new byte[4000];
            Arrays.fill(expected, 0, 1000, (byte) 7);
            assertArrayEquals(expected, got);
        }
    }

    @Test
    void cachedLengthGrowsWithWritesAndFollowsTruncate() throws BlockException {
        try (RequestLayer node = MemoryDriver.node(4096, A4K, threads)) {
            node.write(10000, filled(100, 3), 0, 100);
            assertEquals(12288, node.length(), "grows to the aligned end the driver wrote");
            assertEquals(node.driver().length(), node.length());
            node.writeZeroes(20480, 4096, 0);
            assertEquals(24576, node.length());
            node.write(0, filled(10, 1), 0, 10);
            assertEquals(24576, node.length(), "a write inside never shrinks it");
            node.truncate(5000, true, PreallocMode.OFF);
            assertEquals(5000, node.length());
            byte[] tail = filled(100, 9);
            node.read(4900, tail, 0, 100);
            assertArrayEquals(new byte[100], tail, "data past the truncation point is gone");
        }
    }

    @Test
    void readOnlyNodeRefusesEveryModification() throws BlockException {
        MemoryDriver mem = new MemoryDriver("ro", 8192, A4K, true, true);
        try (RequestLayer node = new RequestLayer(mem, threads)) {
            assertTrue(node.isReadOnly());
            assertEquals(Errno.EPERM, errnoOf(() -> node.write(0, new byte[10], 0, 10)));
            assertEquals(Errno.EPERM, errnoOf(() -> node.writeZeroes(0, 4096, 0)));
            assertEquals(Errno.EPERM, errnoOf(() -> node.discard(0, 4096)));
            assertEquals(Errno.EPERM, errnoOf(() -> node.truncate(0, true, PreallocMode.OFF)));
            ExecutionException async = assertThrows(ExecutionException.class,
                    () -> node.writeAsync(0, IoVector.wrap(new byte[4096]), 0).get(30, TimeUnit.SECONDS));
            assertEquals(Errno.EPERM, ((BlockException) async.getCause()).errno());
            byte[] b = new byte[100];
            node.read(0, b, 0, 100);
            assertEquals(8192, node.length());
        }
    }

    @Test
    void splitsAtMaxTransferWithFuaOnlyOnTheLastChunk() throws BlockException {
        Limits limits = new Limits(512, 1, 1, 8192, 0, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(1 << 20, limits));
        byte[] data = new byte[40000];
        new java.util.Random(4).nextBytes(data);
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(1000, IoVector.wrap(data), RequestFlags.FUA);
            var writes = rec.calls("write");
            long total = 0;
            for (int i = 0; i < writes.size(); i++) {
                var w = writes.get(i);
                assertTrue(w.bytes() <= 8192, "chunk " + w);
                assertEquals(512 + total, w.offset(), "chunks are contiguous");
                assertEquals(i == writes.size() - 1, RequestFlags.has(w.flags(), RequestFlags.FUA), "FUA on " + w);
                total += w.bytes();
            }
            assertEquals(AlignMath.up(41000, 512) - 512, total);
            rec.clear();
            byte[] back = new byte[40000];
            node.read(1000, back, 0, back.length);
            assertArrayEquals(data, back);
            assertTrue(rec.calls("read").size() >= 5);
            assertTrue(rec.calls("read").stream().allMatch(c -> c.bytes() <= 8192));
        }
    }

    @Test
    void discardDropsUnalignedEdgesAndIgnoresEnotsup() throws BlockException {
        Limits limits = new Limits(512, 1, 1, 0, 0, 65536);
        MemoryDriver mem = new MemoryDriver(1 << 20, limits);
        RecordingDriver rec = new RecordingDriver(mem);
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(0, new byte[1 << 20], 0, 1 << 20);
            node.discard(1000, 200000);
            assertEquals(java.util.List.of(new RecordingDriver.Call("discard", 65536, 131072, 0)), rec.calls("discard"));
            assertEquals(MemoryDriver.GrainState.HOLE, mem.grainStateAt(65536));
            assertEquals(MemoryDriver.GrainState.DATA, mem.grainStateAt(65535));
            assertEquals(MemoryDriver.GrainState.DATA, mem.grainStateAt(196608));
            rec.clear();
            node.discard(1000, 1000);
            assertTrue(rec.calls("discard").isEmpty(), "nothing whole to discard");
        }
        BlockDriver refusing = new RecordingDriver(new MemoryDriver(1 << 20, limits)) {
            @Override
            public void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
                throw BlockException.enotsup(offset, "no discard here");
            }
        };
        try (RequestLayer node = new RequestLayer(refusing, threads)) {
            node.discard(0, 1 << 20); // advisory: must not fail
        }
    }

    @Test
    void blockStatusIsClampedToLengthAndInvalidPastIt() throws BlockException {
        MemoryDriver mem = new MemoryDriver(1 << 16, A4K);
        try (RequestLayer node = new RequestLayer(mem, threads)) {
            node.write(8192, new byte[8192], 0, 8192);
            BlockStatus hole = node.blockStatus(0, 1L << 40);
            assertEquals(new BlockStatus(0, 8192, false, true, true, -1, null), hole);
            BlockStatus data = node.blockStatus(8192, 1L << 40);
            assertTrue(data.data());
            assertEquals(8192, data.length());
            BlockStatus rest = node.blockStatus(16384, 1L << 40);
            assertEquals((1 << 16) - 16384, rest.length(), "clamped to the length");
            assertEquals(Errno.EINVAL, errnoOf(() -> node.blockStatus(1 << 16, 10)));
            assertEquals(Errno.EINVAL, errnoOf(() -> node.blockStatus(0, 0)));
        }
    }

    @Test
    void truncateShrinksAndGrowsThroughTheDriver() throws BlockException {
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(1 << 16, A4K));
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(0, filled(1 << 16, 1), 0, 1 << 16);
            node.truncate(4096, true, PreallocMode.OFF);
            node.truncate(1 << 20, true, PreallocMode.OFF);
            assertEquals(1 << 20, node.length());
            byte[] b = filled(8192, 5);
            node.read(0, b, 0, b.length);
            byte[] expected = new byte[8192];
            Arrays.fill(expected, 0, 4096, (byte) 1);
            assertArrayEquals(expected, b);
            assertEquals(2, rec.calls("truncate").size());
            assertEquals(0, node.trackedRequests().inFlightCount());
        }
    }

    @Test
    void asyncCallsCompleteAndCloseRefusesLaterOnes() throws Exception {
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(0, A4K));
        RequestLayer node = new RequestLayer(rec, threads);
        byte[] data = filled(10000, 0x42);
        CompletableFuture<Void> w = node.writeAsync(3, IoVector.wrap(data), 0);
        w.get(30, TimeUnit.SECONDS);
        node.flushAsync().get(30, TimeUnit.SECONDS);
        byte[] back = new byte[10000];
        node.readAsync(3, IoVector.wrap(back), 0).get(30, TimeUnit.SECONDS);
        assertArrayEquals(data, back);
        node.writeZeroesAsync(0, 4096, 0).get(30, TimeUnit.SECONDS);
        node.discardAsync(0, 4096).get(30, TimeUnit.SECONDS);
        node.close();
        node.close(); // idempotent
        assertEquals(1, rec.calls("close").size());
        assertEquals(Errno.EBADF, errnoOf(() -> node.read(0, back, 0, 10)));
        ExecutionException late = assertThrows(ExecutionException.class,
                () -> node.flushAsync().get(30, TimeUnit.SECONDS));
        assertInstanceOf(BlockException.class, late.getCause());
        assertFalse(w.isCompletedExceptionally());
    }

    @Test
    void closeWaitsForInFlightRequests() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean writeDone = new java.util.concurrent.atomic.AtomicBoolean();
        BlockDriver slow = new RecordingDriver(new MemoryDriver(8192, A4K)) {
            @Override
            public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new BlockException(Errno.EINTR, "interrupted");
                }
                super.write(ctx, offset, qiov, flags);
                writeDone.set(true);
            }

            @Override
            public void close() throws BlockException {
                assertTrue(writeDone.get(), "driver closed while a write was in flight");
                super.close();
            }
        };
        RequestLayer node = new RequestLayer(slow, threads);
        CompletableFuture<Void> write = node.writeAsync(0, IoVector.wrap(new byte[4096]), 0);
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        Thread closer = new Thread(() -> {
            try {
                node.close();
            } catch (BlockException e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        release.countDown();
        closer.join(30_000);
        assertFalse(closer.isAlive());
        write.get(30, TimeUnit.SECONDS);
        assertTrue(writeDone.get());
    }

    @Test
    void asyncCallRefusedByAShutDownPoolDoesNotBlockClose() throws Exception {
        RequestThreads dead = new RequestThreads("dead", 1);
        dead.close();
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(8192, A4K));
        RequestLayer node = new RequestLayer(rec, dead);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> node.flushAsync().get(30, TimeUnit.SECONDS));
        assertEquals(Errno.ECANCELED, ((BlockException) e.getCause()).errno());
        Thread closer = new Thread(() -> {
            try {
                node.close();
            } catch (BlockException ex) {
                throw new IllegalStateException(ex);
            }
        });
        closer.setDaemon(true);
        closer.start();
        closer.join(30_000);
        assertFalse(closer.isAlive(), "close hung on a request that never ran");
        assertEquals(1, rec.calls("close").size());
    }
}
