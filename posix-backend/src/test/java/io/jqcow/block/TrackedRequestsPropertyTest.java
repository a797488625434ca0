package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random requests on one node from several threads: some serialising from the start, some that
 * widen and/or serialise half-way (then wait again, as a driver would). Conflicting requests must
 * never do "I/O" at the same time, and everything must finish (the join timeout is the deadlock
 * signal, not a timing assertion).
 */
class TrackedRequestsPropertyTest {
    private static final long JOIN_SECONDS = 30;

    /** One request's script; positions are in 512-byte units on a small disk to force overlaps. */
    record Op(int start, int length, boolean serialising, int widenBy, boolean widenToEnd,
              boolean serialiseLater, int pauseMicros) {
        boolean hasSecondPhase() {
            return widenBy > 0 || widenToEnd || serialiseLater;
        }
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(1, 6),
                Arbitraries.of(true, false, false),
                Arbitraries.integers().between(0, 4),
                Arbitraries.of(false, false, false, true),
                Arbitraries.of(true, false, false),
                Arbitraries.integers().between(0, 200)
        ).as(Op::new);
    }

    @Property(tries = 150)
    void conflictingRequestsNeverRunTogetherAndAllFinish(@ForAll @Size(min = 2, max = 8) List<@From("ops") Op> ops)
            throws InterruptedException {
        TrackedRequests tracked = new TrackedRequests();
        ConflictChecker checker = new ConflictChecker();
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Op op : ops) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    run(tracked, checker, op);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_SECONDS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            assertFalse(t.isAlive(), "a request never finished (deadlock): " + tracked.snapshot());
        }
        assertEquals(null, failure.get());
        assertEquals(List.of(), checker.violations());
        assertEquals(0, tracked.inFlightCount());
    }

    private static void run(TrackedRequests tracked, ConflictChecker checker, Op op) throws BlockException {
        TrackedRequest r = tracked.begin(RequestType.WRITE, op.start() * 512L, op.length() * 512L, op.serialising());
        try {
            r.waitForConflicts();
            doIo(checker, r, op.pauseMicros());
            if (op.hasSecondPhase()) {
                if (op.widenToEnd()) {
                    r.widenTo(Long.MAX_VALUE);
                } else if (op.widenBy() > 0) {
                    r.widenTo(r.windowEnd() + op.widenBy() * 512L);
                }
                if (op.serialiseLater()) {
                    r.serialise();
                }
                r.waitForConflicts();
                doIo(checker, r, op.pauseMicros());
            }
        } finally {
            tracked.end(r); // after the checker forgot it, so no false alarm
        }
    }

    private static void doIo(ConflictChecker checker, TrackedRequest r, int pauseMicros) {
        checker.enter(r);
        try {
            LockSupport.parkNanos(pauseMicros * 1000L);
            Thread.yield();
        } finally {
            checker.exit(r);
        }
    }

    /** The checker itself must notice a violation, or the property above proves nothing. */
    @Property(tries = 5)
    void checkerSeesConflictsWhenTheRuleIsIgnored(@ForAll("ops") Op op) {
        TrackedRequests tracked = new TrackedRequests();
        ConflictChecker checker = new ConflictChecker();
        TrackedRequest a = tracked.begin(RequestType.WRITE, op.start() * 512L, op.length() * 512L, true);
        TrackedRequest b = tracked.begin(RequestType.READ, op.start() * 512L, 512, false);
        checker.enter(a);
        checker.enter(b); // no waitForConflicts: a rule breach
        assertTrue(checker.violations().size() == 1);
    }
}
