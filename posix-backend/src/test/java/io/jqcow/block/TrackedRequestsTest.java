package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The conflict rule of {@link TrackedRequests}, one scenario at a time. A waiter records, at the
 * moment it gets through, whether the request it had to wait for was already finished; the
 * generous joins only detect hangs, they assert nothing about timing.
 */
class TrackedRequestsTest {
    private static final long JOIN_MILLIS = 30_000;
    private final TrackedRequests tracked = new TrackedRequests();

    /** Runs r's wait on its own thread and records blocker.isFinished() when it gets through. */
    private static final class Waiter {
        final Thread thread;
        final AtomicReference<Boolean> blockerFinishedWhenPassed = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Waiter(TrackedRequest r, TrackedRequest blocker, Runnable before) {
            thread = new Thread(() -> {
                try {
                    before.run();
                    r.waitForConflicts();
                    blockerFinishedWhenPassed.set(blocker.isFinished());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        void joinAndCheck() throws InterruptedException {
            thread.join(JOIN_MILLIS);
            assertFalse(thread.isAlive(), "waiter still blocked: deadlock");
            assertEquals(null, failure.get());
            assertEquals(Boolean.TRUE, blockerFinishedWhenPassed.get(), "got through before its blocker ended");
        }
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("never happened: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Calls waitForConflicts on another thread; fails if it does not return. */
    private static void passesWithoutWaiting(TrackedRequest r) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                r.waitForConflicts();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.setDaemon(true);
        t.start();
        t.join(JOIN_MILLIS);
        assertFalse(t.isAlive(), r + " blocked");
        assertEquals(null, failure.get());
    }

    @Test
    void widenedSerialisingRequestWaitsForEarlierOverlapAndBlocksEveryLaterOverlap() throws Exception {
        TrackedRequest elsewhere = tracked.begin(RequestType.WRITE, 0, 4096, false);
        TrackedRequest earlier = tracked.begin(RequestType.WRITE, 1 << 20, 4096, false);
        passesWithoutWaiting(elsewhere);
        passesWithoutWaiting(earlier);
        TrackedRequest widened = tracked.begin(RequestType.ZERO, 8192, 4096, false);
        Waiter w = new Waiter(widened, earlier, () -> {
            widened.widenTo(Long.MAX_VALUE);
            widened.serialise();
        });
        eventually(widened::isWaiting, "widened request waits");

        TrackedRequest laterRead = tracked.begin(RequestType.READ, 1L << 40, 512, false);
        Waiter lr = new Waiter(laterRead, widened, () -> { });
        TrackedRequest laterWrite = tracked.begin(RequestType.WRITE, 8192, 512, false);
        Waiter lw = new Waiter(laterWrite, widened, () -> { });
        eventually(() -> laterRead.isWaiting() && laterWrite.isWaiting(), "later requests wait");
        // A later request below the widened window is not held up, even while the widened one waits.
        passesWithoutWaiting(tracked.begin(RequestType.READ, 4096, 4096, true));

        tracked.end(elsewhere);
        assertTrue(w.thread.isAlive(), "widened request must still wait for the earlier overlapping one");
        tracked.end(earlier);
        w.joinAndCheck();
        assertTrue(lr.thread.isAlive() && lw.thread.isAlive(), "later overlapping requests wait for it");
        tracked.end(widened);
        lr.joinAndCheck();
        lw.joinAndCheck();
    }

    @Test
    void requestSerialisingMidFlightWaitsForALaterOneThatIsAlreadyRunning() throws Exception {
        TrackedRequest a = tracked.begin(RequestType.WRITE, 0, 4096, false);
        TrackedRequest b = tracked.begin(RequestType.WRITE, 0, 4096, false);
        passesWithoutWaiting(a);
        passesWithoutWaiting(b); // neither serialising: no conflict
        Waiter w = new Waiter(a, b, a::serialise);
        eventually(a::isWaiting, "a waits");
        tracked.end(b);
        w.joinAndCheck();
    }

    @Test
    void neverWaitsOnARequestThatWaitsOnIt() throws Exception {
        TrackedRequest a = tracked.begin(RequestType.WRITE, 0, 4096, false);
        passesWithoutWaiting(a);
        TrackedRequest b = tracked.begin(RequestType.WRITE, 0, 4096, true);
        Waiter wb = new Waiter(b, a, () -> { });
        eventually(b::isWaiting, "b waits for a");
        // a becomes serialising and waits again: b is later and waiting on a, so a goes on.
        a.serialise();
        passesWithoutWaiting(a);
        assertTrue(wb.thread.isAlive());
        tracked.end(a);
        wb.joinAndCheck();
        tracked.end(b);
        assertEquals(0, tracked.inFlightCount());
    }

    @Test
    void earlierWaiterGoesFirstWhenALaterRunningRequestStartsWaiting() throws Exception {
        TrackedRequest first = tracked.begin(RequestType.WRITE, 0, 4096, false);
        TrackedRequest second = tracked.begin(RequestType.WRITE, 0, 4096, false);
        passesWithoutWaiting(first);
        passesWithoutWaiting(second);
        TrackedRequest blocker = tracked.begin(RequestType.READ, 100_000, 10, false);
        passesWithoutWaiting(blocker);
        // first serialises and waits for the running second (rule 2).
        Waiter wf = new Waiter(first, second, first::serialise);
        eventually(first::isWaiting, "first waits");
        // second now widens onto an earlier running request and waits too; it must not keep first
        // blocked (first no longer waits on a waiting later request) and must itself wait for first.
        second.widenTo(200_000);
        second.serialise();
        Waiter ws = new Waiter(second, first, () -> { });
        wf.thread.join(JOIN_MILLIS);
        assertFalse(wf.thread.isAlive(), "first still blocked by a waiting later request");
        assertEquals(Boolean.FALSE, wf.blockerFinishedWhenPassed.get());
        tracked.end(first);
        tracked.end(blocker);
        ws.joinAndCheck();
    }

    @Test
    void nonSerialisingOverlapAndSerialisingNeighboursDoNotConflict() throws Exception {
        TrackedRequest r1 = tracked.begin(RequestType.READ, 0, 8192, false);
        TrackedRequest r2 = tracked.begin(RequestType.WRITE, 4096, 8192, false);
        passesWithoutWaiting(r1);
        passesWithoutWaiting(r2);
        TrackedRequest s = tracked.begin(RequestType.WRITE, 12288, 4096, true);
        passesWithoutWaiting(s); // adjacent, not overlapping
        TrackedRequest t = tracked.begin(RequestType.TRUNCATE, 16384, Long.MAX_VALUE - 16384, true);
        passesWithoutWaiting(t);
        assertEquals(4, tracked.inFlightCount());
    }
}
