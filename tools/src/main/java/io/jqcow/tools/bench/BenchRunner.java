package io.jqcow.tools.bench;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.tools.cli.Buffers;
import io.jqcow.tools.cli.RequestBounds;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Keeps {@code depth} requests in flight through the node's async API until {@code count} have been
 * sent. Each in-flight request owns one buffer slot. A finished request's completion sends the next
 * request on the same slot itself (no wake-up of the bench thread per request); it hands the slot
 * back to the bench thread only when the next request must follow a flush, or at the end. The first
 * failure stops new submissions; the run then waits for what is in flight and rethrows it.
 */
public final class BenchRunner {
    /** Like qemu-img bench's blk_blockalign on a 4 KiB-page host; more if the node asks for it. */
    private static final int BUFFER_ALIGNMENT = 4096;
    /** Not an offset: no next request for this slot. */
    private static final long NONE = Long.MIN_VALUE;

    private final BlockNode node;
    private final BenchSettings s;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Deque<ByteBuffer> freeSlots = new ArrayDeque<>();
    private int inFlight;
    private Throwable failure;
    /** Index and offset of the next request to send. */
    private int next;
    private long nextOffset;
    /** The request index whose preceding flush has been done (flushes come before their request). */
    private int flushedBefore = -1;
    private long length;

    public BenchRunner(BlockNode node, BenchSettings settings) {
        this.node = node;
        this.s = settings;
    }

    /** Runs the benchmark; throws the first request failure. */
    public void run() throws BlockException {
        int slots = Math.max(1, Math.min(s.depth(), s.count()));
        int alignment = Math.max(BUFFER_ALIGNMENT, node.limits().optMemAlignment());
        for (int i = 0; i < slots; i++) {
            freeSlots.add(Buffers.aligned(s.bufferSize(), alignment, s.write() ? (byte) s.pattern() : 0));
        }
        length = node.length();
        nextOffset = s.offset();
        while (true) {
            ByteBuffer slot;
            long offset;
            synchronized (lock) {
                while (failure == null && next < s.count() && !flushPending()
                        && (freeSlots.isEmpty() || inFlight >= s.depth())) {
                    awaitQuietly();
                }
                if (failure != null || next >= s.count()) {
                    break;
                }
                if (flushPending()) {
                    slot = null;
                    offset = 0;
                } else {
                    slot = freeSlots.poll();
                    offset = claimNext();
                }
            }
            if (slot == null) {
                flush();
                synchronized (lock) {
                    flushedBefore = next;
                }
            } else {
                send(slot, offset);
            }
        }
        waitUntilIdle();
        synchronized (lock) {
            if (failure != null) {
                throw asBlockException(failure);
            }
        }
    }

    /** Whether a flush is due before request {@code next} and has not been done (caller holds lock). */
    private boolean flushPending() {
        int remaining = s.count() - next;
        return s.write() && s.flushInterval() > 0 && next > 0 && remaining % s.flushInterval() == 0
                && flushedBefore != next;
    }

    /** Counts request {@code next} in flight and returns its offset (caller holds lock). */
    private long claimNext() {
        inFlight++;
        next++;
        long offset = nextOffset;
        nextOffset = s.next(offset, length);
        return offset;
    }

    private void flush() throws BlockException {
        if (s.drain()) {
            waitUntilIdle();
            node.flush();
        } else {
            synchronized (lock) {
                inFlight++;
            }
            CompletableFuture<Void> f;
            try {
                f = node.flushAsync();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, err) -> {
                synchronized (lock) {
                    inFlight--;
                    recordFailure(err);
                    lock.notifyAll();
                }
            });
        }
    }

    /**
     * Sends a claimed request on {@code slot}, then keeps the slot busy with the following requests
     * for as long as it may. Requests that finish at once are looped here rather than recursed into.
     */
    private void send(ByteBuffer slot, long offset) {
        long at = offset;
        while (true) {
            CompletableFuture<Void> io = start(at, slot);
            if (!io.isDone()) {
                io.whenComplete((v, err) -> {
                    long o = finishedAndClaimNext(slot, err);
                    if (o != NONE) {
                        send(slot, o);
                    }
                });
                return;
            }
            at = finishedAndClaimNext(slot, errorOf(io));
            if (at == NONE) {
                return;
            }
        }
    }

    private CompletableFuture<Void> start(long offset, ByteBuffer slot) {
        try {
            RequestBounds.check(node, offset, s.bufferSize());
            IoVector v = IoVector.of(slot);
            return s.write() ? node.writeAsync(offset, v, 0) : node.readAsync(offset, v, 0);
        } catch (BlockException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable errorOf(CompletableFuture<Void> done) {
        try {
            done.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e;
        }
    }

    /**
     * One request on {@code slot} finished: claims the next one for the same slot and returns its
     * offset, or returns the slot to the bench thread and NONE (failure, end, or a flush due first).
     */
    private long finishedAndClaimNext(ByteBuffer slot, Throwable err) {
        synchronized (lock) {
            inFlight--;
            recordFailure(err);
            if (failure == null && next < s.count() && !flushPending() && inFlight < s.depth()) {
                return claimNext();
            }
            freeSlots.add(slot);
            lock.notifyAll();
            return NONE;
        }
    }

    private void recordFailure(Throwable err) {
        if (err != null && failure == null) {
            failure = err;
        }
    }

    private void waitUntilIdle() {
        synchronized (lock) {
            while (inFlight > 0) {
                awaitQuietly();
            }
        }
    }

    private void awaitQuietly() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (failure == null) {
                failure = new BlockException(Errno.EINTR, Errno.EINTR.description());
            }
        }
    }

    private static BlockException asBlockException(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof BlockException be) {
            return be;
        }
        return new BlockException(Errno.EIO, -1, Errno.EIO.description(), c);
    }
}
