package io.jqcow.block;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-flight requests of one node and the rule that keeps conflicting ones apart.
 *
 * <p>Two requests <em>conflict</em> when their overlap windows share a byte and at least one of
 * them is serialising. Windows only widen and a request never stops being serialising, so a
 * conflict, once it exists, lasts until one of the two ends.
 *
 * <p>A request R inside {@link TrackedRequest#waitForConflicts()} is <em>blocked by</em> another
 * in-flight request O when they conflict and either
 * <ol>
 *   <li>O began earlier (registered before R), whatever O is doing; or</li>
 *   <li>O began later but is not waiting itself: it already got past its own wait and may be doing
 *       I/O, which happens when R widened or became serialising after O started.</li>
 * </ol>
 * R never waits for a later request that is itself waiting: that one is (or will be, once it
 * re-checks) blocked by R under rule 1. Hence R never waits on a request that waits on it.
 *
 * <p>Why no deadlock: a wait-for edge between two waiting requests always points to an earlier
 * one, so waiting requests form no cycle. The earliest waiting request is blocked only by requests
 * that are not waiting, i.e. running; each of those finishes or starts waiting (and then, being
 * later, stops blocking it), so the earliest waiter always gets through.
 *
 * <p>Why conflicting requests never overlap in time: whichever of two conflicting requests passes
 * its wait second would have seen the other running and blocked on it. A driver that widens or
 * serialises mid-request must call waitForConflicts before its next I/O.
 *
 * <p>One lock and one condition per node; no global state.
 */
public final class TrackedRequests {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<TrackedRequest> inFlight = new ArrayList<>();
    private long nextSequence;
    private int waiters;
    /** In-flight serialising requests: with none, no two requests can conflict (the fast path). */
    private int serialisingCount;

    /** Registers a request with window [offset, offset + bytes). */
    public TrackedRequest begin(RequestType type, long offset, long bytes, boolean serialising) {
        if (offset < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative request " + offset + "+" + bytes);
        }
        lock.lock();
        try {
            TrackedRequest r = new TrackedRequest(this, nextSequence++, type, offset, bytes, serialising);
            inFlight.add(r);
            if (serialising) {
                serialisingCount++;
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** Unregisters a finished request and wakes everyone who might have waited for it. */
    public void end(TrackedRequest r) {
        lock.lock();
        try {
            if (!r.isFinished()) {
                r.setFinished();
                inFlight.remove(r);
                if (r.isSerialising()) {
                    serialisingCount--;
                }
                if (waiters > 0) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public int inFlightCount() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the in-flight requests in registration order. */
    public List<TrackedRequest> snapshot() {
        lock.lock();
        try {
            return List.copyOf(inFlight);
        } finally {
            lock.unlock();
        }
    }

    void widen(TrackedRequest r, long end) {
        lock.lock();
        try {
            if (end > r.windowEnd()) {
                r.setWindowEnd(end);
            }
        } finally {
            lock.unlock();
        }
    }

    void serialise(TrackedRequest r) {
        lock.lock();
        try {
            if (!r.isSerialising()) {
                r.setSerialising();
                serialisingCount++;
            }
        } finally {
            lock.unlock();
        }
    }

    void waitForConflicts(TrackedRequest r) throws BlockException {
        lock.lock();
        try {
            if (r.isFinished()) {
                throw new IllegalStateException("request already ended: " + r);
            }
            if (serialisingCount == 0) {
                return; // nothing serialising in flight: nothing conflicts with r, nobody waits on it
            }
            r.setWaiting(true);
            if (waiters > 0) {
                // Earlier waiters blocked by us under rule 2 must re-check now that we wait.
                changed.signalAll();
            }
            waiters++;
            try {
                while (findBlocker(r) != null) {
                    changed.await();
                }
            } finally {
                waiters--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlockException(Errno.EINTR, r.offset(), "interrupted while waiting for overlapping requests");
        } finally {
            r.setWaiting(false);
            lock.unlock();
        }
    }

    /**
     * Whether r could pass {@link TrackedRequest#waitForConflicts()} right now without waiting. An
     * async request that gets true may start its I/O at once: from then on it counts as running
     * (not waiting) to everyone else, exactly like a request that got through its wait.
     */
    boolean canPassWithoutWaiting(TrackedRequest r) {
        lock.lock();
        try {
            if (r.isFinished()) {
                throw new IllegalStateException("request already ended: " + r);
            }
            return serialisingCount == 0 || findBlocker(r) == null;
        } finally {
            lock.unlock();
        }
    }

    private TrackedRequest findBlocker(TrackedRequest r) {
        for (TrackedRequest o : inFlight) {
            if (o != r && r.conflictsWith(o) && (o.sequence() < r.sequence() || !o.isWaiting())) {
                return o;
            }
        }
        return null;
    }
}
