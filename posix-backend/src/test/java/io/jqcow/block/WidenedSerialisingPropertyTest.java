package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The XFS post-EOF workaround's mechanism: a request that widens its window to Long.MAX_VALUE and
 * serialises inside the driver (as file-posix's write-zeroes does) waits for every earlier request
 * that overlaps [its start, end of address space) and blocks every later one there, while requests
 * entirely below it pass freely.
 *
 * <p>The driver holds each earlier request inside until the test releases it, so every check is a
 * state check (who is inside, who is waiting), never a timing one; the long timeouts only turn a
 * deadlock into a failure.
 */
class WidenedSerialisingPropertyTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 80;
    private static final long DEADLOCK_MS = 20_000;
    private static RequestThreads threads;

    @BeforeContainer
    static void start() {
        threads = new RequestThreads("widened-property", 32);
    }

    @AfterContainer
    static void stop() {
        threads.close();
    }

    /** An aligned (hence non-serialising) read or write of whole blocks. */
    record Op(boolean write, int block, int blocks) {
        long start() {
            return (long) block * BLOCK;
        }

        long end() {
            return start() + (long) blocks * BLOCK;
        }
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 63),
                Arbitraries.integers().between(1, 8)).as(Op::new);
    }

    /** Holds earlier requests inside; runs the widening write-zeroes; records who entered when. */
    static final class GatedDriver extends RecordingDriver {
        record Held(TrackedRequest request, CountDownLatch release) {
        }

        record Entry(TrackedRequest request, boolean widenedFinished) {
        }

        volatile boolean holdNew = true;
        final List<Held> held = new CopyOnWriteArrayList<>();
        final List<TrackedRequest> inside = new CopyOnWriteArrayList<>();
        final List<Entry> passed = new CopyOnWriteArrayList<>();
        final CountDownLatch widened = new CountDownLatch(1);
        final CountDownLatch widenedEntered = new CountDownLatch(1);
        final CountDownLatch widenedRelease = new CountDownLatch(1);
        volatile TrackedRequest widenedRequest;
        volatile List<TrackedRequest> insideWhenWidenedEntered;
        volatile boolean widenedFinished;

        GatedDriver(BlockDriver inner) {
            super(inner);
        }

        private interface Call {
            void run() throws BlockException;
        }

        private void gated(RequestContext ctx, Call call) throws BlockException {
            TrackedRequest r = (TrackedRequest) ctx;
            inside.add(r);
            try {
                if (holdNew) {
                    CountDownLatch release = new CountDownLatch(1);
                    held.add(new Held(r, release));
                    await(release);
                } else {
                    passed.add(new Entry(r, widenedFinished));
                }
                call.run();
            } finally {
                inside.remove(r);
            }
        }

        @Override
        public void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
            gated(ctx, () -> super.read(ctx, offset, qiov, flags));
        }

        @Override
        public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
            gated(ctx, () -> super.write(ctx, offset, qiov, flags));
        }

        @Override
        public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
            widenedRequest = (TrackedRequest) ctx;
            ctx.widenTo(Long.MAX_VALUE);
            ctx.serialise();
            widened.countDown();
            ctx.waitForConflicts();
            insideWhenWidenedEntered = List.copyOf(inside);
            widenedEntered.countDown();
            await(widenedRelease);
            super.writeZeroes(ctx, offset, bytes, flags);
            widenedFinished = true;
        }

        private static void await(CountDownLatch latch) throws BlockException {
            try {
                if (!latch.await(DEADLOCK_MS, TimeUnit.MILLISECONDS)) {
                    throw new BlockException(Errno.EIO, "test latch never released (deadlock?)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlockException(Errno.EINTR, "interrupted");
            }
        }
    }

    @Property(tries = 25)
    void widenedRequestWaitsForEarlierAndBlocksLaterOverlaps(
            @ForAll @Size(min = 0, max = 6) List<@From("ops") Op> earlier,
            @ForAll @Size(min = 1, max = 6) List<@From("ops") Op> later,
            @ForAll @IntRange(min = 0, max = 63) int zeroBlock,
            @ForAll @IntRange(min = 1, max = 4) int zeroBlocks,
            @ForAll long shuffleSeed) throws Exception {
        GatedDriver driver = new GatedDriver(new MemoryDriver((long) BLOCKS * BLOCK, new Limits(BLOCK, 1, 1, 0, 0, 0)));
        long zeroStart = (long) zeroBlock * BLOCK;
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            // Earlier requests: each is inside the driver (held) before the next one starts.
            List<CompletableFuture<Void>> earlierDone = new ArrayList<>();
            for (Op op : earlier) {
                earlierDone.add(submit(node, op));
                int n = earlierDone.size();
                awaitState(() -> driver.held.size() == n, "earlier request " + op + " to enter the driver");
            }
            driver.holdNew = false;

            CompletableFuture<Void> zero = node.writeZeroesAsync(zeroStart, (long) zeroBlocks * BLOCK, 0);
            assertTrue(driver.widened.await(DEADLOCK_MS, TimeUnit.MILLISECONDS), "write-zeroes never reached the driver");
            TrackedRequest z = driver.widenedRequest;
            boolean earlierOverlap = earlier.stream().anyMatch(op -> op.end() > zeroStart);
            if (earlierOverlap) {
                // It must wait: the earlier overlapping requests are held inside the driver.
                awaitState(() -> z.isWaiting() || driver.widenedEntered.getCount() == 0, "the widened request to settle");
                assertEquals(1, driver.widenedEntered.getCount(),
                        "widened request entered with earlier overlapping ones held: " + driver.held);
            } else {
                // Nothing earlier overlaps: it must not wait for the held requests below it.
                assertTrue(driver.widenedEntered.await(DEADLOCK_MS, TimeUnit.MILLISECONDS),
                        "widened request waited for earlier requests below its window");
            }

            // Later requests start once the window is wide; the overlapping ones must wait for it.
            List<Op> laterOps = new ArrayList<>(later);
            List<CompletableFuture<Void>> laterDone = new ArrayList<>();
            for (Op op : laterOps) {
                laterDone.add(submit(node, op));
            }
            awaitState(() -> settled(node, driver, z, laterOps.size()), "later requests to enter or wait");
            for (int i = 0; i < laterOps.size(); i++) {
                if (laterOps.get(i).end() <= zeroStart) {
                    laterDone.get(i).get(DEADLOCK_MS, TimeUnit.MILLISECONDS); // below the window: free to run
                }
            }

            // Release the earlier overlapping requests in random order, then the widened one enters
            // while the earlier ones below it are still held.
            List<GatedDriver.Held> held = new ArrayList<>(driver.held);
            Collections.shuffle(held, new Random(shuffleSeed));
            for (GatedDriver.Held h : held) {
                if (h.request().windowEnd() > zeroStart) {
                    h.release().countDown();
                }
            }
            assertTrue(driver.widenedEntered.await(DEADLOCK_MS, TimeUnit.MILLISECONDS),
                    "widened request still blocked after every earlier overlapping request was released");
            for (TrackedRequest r : driver.insideWhenWidenedEntered) {
                assertTrue(r.windowEnd() <= zeroStart, "widened request ran together with " + r);
            }
            for (GatedDriver.Entry e : driver.passed) {
                assertTrue(e.request().windowEnd() <= zeroStart, "later overlapping " + e.request()
                        + " entered while the widened request had not run");
            }

            driver.widenedRelease.countDown();
            zero.get(DEADLOCK_MS, TimeUnit.MILLISECONDS);
            for (CompletableFuture<Void> f : laterDone) {
                f.get(DEADLOCK_MS, TimeUnit.MILLISECONDS);
            }
            for (GatedDriver.Held h : held) {
                h.release().countDown();
            }
            for (CompletableFuture<Void> f : earlierDone) {
                f.get(DEADLOCK_MS, TimeUnit.MILLISECONDS);
            }
            for (GatedDriver.Entry e : driver.passed) {
                if (e.request().windowEnd() > zeroStart) {
                    assertTrue(e.widenedFinished(), "later overlapping " + e.request() + " ran before the widened one");
                }
            }
            assertEquals(laterOps.size(), driver.passed.size());
            assertTrue(z.isSerialising());
            assertEquals(Long.MAX_VALUE, z.windowEnd());
        }
    }

    /** Every later request is either inside the driver (or done) or waiting in the request layer. */
    private static boolean settled(RequestLayer node, GatedDriver driver, TrackedRequest z, int laterCount) {
        long waiting = node.trackedRequests().snapshot().stream()
                .filter(r -> r.sequence() > z.sequence() && r.isWaiting()).count();
        return driver.passed.size() + waiting == laterCount;
    }

    private static CompletableFuture<Void> submit(RequestLayer node, Op op) {
        IoVector v = IoVector.wrap(new byte[op.blocks() * BLOCK]);
        return op.write() ? node.writeAsync(op.start(), v, 0) : node.readAsync(op.start(), v, 0);
    }

    private static void awaitState(BooleanSupplier state, String what) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLOCK_MS);
        while (!state.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("gave up waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
