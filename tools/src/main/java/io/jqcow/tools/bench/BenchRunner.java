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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Keeps {@code depth} requests in flight through the node's async API until {@code count} have been
 * sent. Each in-flight request owns one buffer slot; a finished request returns its slot. The first
 * failure stops new submissions; the run then waits for what is in flight and rethrows it.
 */
public final class BenchRunner {
    /** Like qemu-img bench's blk_blockalign on a 4 KiB-page host; more if the node asks for it. */
    private static final int BUFFER_ALIGNMENT = 4096;

    private final BlockNode node;
    private final BenchSettings s;
    private final Object lock = new Object();
    private final Deque<ByteBuffer> freeSlots = new ArrayDeque<>();
    private int inFlight;
    private Throwable failure;

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
        long length = node.length();
        long offset = s.offset();
        for (int i = 0; i < s.count(); i++) {
            int remaining = s.count() - i;
            if (s.write() && s.flushInterval() > 0 && i > 0 && remaining % s.flushInterval() == 0) {
                flush();
            }
            ByteBuffer slot = takeSlot();
            if (slot == null) {
                break; // a request failed: stop sending
            }
            submit(offset, slot);
            offset = s.next(offset, length);
        }
        waitUntilIdle();
        synchronized (lock) {
            if (failure != null) {
                throw asBlockException(failure);
            }
        }
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
            f.whenComplete((v, err) -> finished(null, err));
        }
    }

    private void submit(long offset, ByteBuffer slot) {
        CompletableFuture<Void> io;
        try {
            RequestBounds.check(node, offset, s.bufferSize());
            IoVector v = IoVector.of(slot);
            io = s.write() ? node.writeAsync(offset, v, 0) : node.readAsync(offset, v, 0);
        } catch (BlockException | RuntimeException e) {
            io = CompletableFuture.failedFuture(e);
        }
        io.whenComplete((v, err) -> finished(slot, err));
    }

    private void finished(ByteBuffer slot, Throwable err) {
        synchronized (lock) {
            inFlight--;
            if (slot != null) {
                freeSlots.add(slot);
            }
            if (err != null && failure == null) {
                failure = err;
            }
            lock.notifyAll();
        }
    }

    /** Waits for a free slot; null once a request has failed. */
    private ByteBuffer takeSlot() {
        synchronized (lock) {
            while (failure == null && (freeSlots.isEmpty() || inFlight >= s.depth())) {
                awaitQuietly();
            }
            if (failure != null) {
                return null;
            }
            inFlight++;
            return freeSlots.poll();
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
