package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Random 4K reads and writes at queue depth 32, driven like qemu-img bench: each completion sends
 * the next request of its slot. Slot i only touches blocks b with b % 32 == i, so the reference
 * copy stays exact without ordering between slots. Reads are checked against the reference as they
 * complete; the completing threads are counted (a request that finished before its callback was
 * attached runs the callback on the submitting thread, so "not on a request thread" is the test).
 */
final class AsyncPathWorkload {
    static final int BLOCK = 4096;
    static final int DEPTH = 32;
    static final String REAPER_PREFIX = "jqcow-aio-reap-";

    private final BlockNode node;
    private final byte[] reference;
    private final int blocks;
    private final AtomicInteger remaining;
    private final CountDownLatch slotsDone = new CountDownLatch(DEPTH);
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger onReaper = new AtomicInteger();
    final AtomicInteger onRequestThreads = new AtomicInteger();
    private final String requestThreadPrefix;

    AsyncPathWorkload(BlockNode node, byte[] reference, int ops, String requestThreadPrefix) {
        this.requestThreadPrefix = requestThreadPrefix;
        this.node = node;
        this.reference = reference;
        this.blocks = reference.length / BLOCK;
        this.remaining = new AtomicInteger(ops);
    }

    /** Runs to the end; returns the errors seen (empty when every read matched). */
    List<String> run(long seed) throws InterruptedException {
        for (int slot = 0; slot < DEPTH; slot++) {
            next(slot, new Random(seed + slot), AlignedBuffers.allocate(BLOCK, BLOCK));
        }
        if (!slotsDone.await(120, TimeUnit.SECONDS)) {
            errors.add("workload did not finish");
        }
        return List.copyOf(errors);
    }

    private void next(int slot, Random rnd, ByteBuffer buf) {
        if (remaining.decrementAndGet() < 0) {
            slotsDone.countDown();
            return;
        }
        int block = slot + DEPTH * rnd.nextInt(blocks / DEPTH);
        long offset = (long) block * BLOCK;
        boolean write = rnd.nextBoolean();
        CompletableFuture<Void> f;
        if (write) {
            byte[] data = new byte[BLOCK];
            rnd.nextBytes(data);
            buf.clear();
            buf.put(data).flip();
            System.arraycopy(data, 0, reference, (int) offset, BLOCK);
            f = node.writeAsync(offset, IoVector.of(buf.duplicate()), 0);
        } else {
            f = node.readAsync(offset, IoVector.of(buf.duplicate()), 0);
        }
        f.whenComplete((v, e) -> {
            completions.incrementAndGet();
            String name = Thread.currentThread().getName();
            if (name.startsWith(REAPER_PREFIX)) {
                onReaper.incrementAndGet();
            } else if (name.startsWith(requestThreadPrefix)) {
                onRequestThreads.incrementAndGet();
            }
            if (e != null) {
                errors.add((write ? "write " : "read ") + offset + ": " + e);
                slotsDone.countDown();
                return;
            }
            if (!write) {
                byte[] got = new byte[BLOCK];
                buf.duplicate().get(got);
                if (!java.util.Arrays.equals(got, 0, BLOCK, reference, (int) offset, (int) offset + BLOCK)) {
                    errors.add("read " + offset + " does not match the reference");
                }
            }
            next(slot, rnd, buf);
        });
    }
}
