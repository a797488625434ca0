package io.jqcow.tools.testing;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe in-memory block node over a growable byte array, for driving the CLI without files.
 * Reads past the end see zeroes; writes past the end grow it (node semantics; the CLI itself
 * enforces device bounds). Async calls run on a small pool. Ranges can be set to fail with EIO.
 */
public class MemoryNode implements BlockNode {
    private final boolean readOnly;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "memory-node");
        t.setDaemon(true);
        return t;
    });
    private final List<long[]> failing = new ArrayList<>();
    /** 512-byte sectors this layer does not decide (as if they came from a backing file). */
    private final java.util.BitSet unallocated = new java.util.BitSet();
    private byte[] data;
    private long length;
    private boolean closed;
    /** Counters tests assert on. */
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public final AtomicInteger flushes = new AtomicInteger();
    public final AtomicInteger zeroWrites = new AtomicInteger();
    public final AtomicInteger discards = new AtomicInteger();
    private volatile int lastWriteFlags;
    private volatile IoVector lastVector;
    private final List<Long> readOffsets = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private final Limits limits;

    public MemoryNode(byte[] initial, boolean readOnly, Limits limits) {
        this.data = initial.clone();
        this.length = initial.length;
        this.readOnly = readOnly;
        this.limits = limits;
    }

    public MemoryNode(byte[] initial, boolean readOnly) {
        this(initial, readOnly, Limits.BYTE_ALIGNED);
    }

    public MemoryNode(int size) {
        this(new byte[size], false);
    }

    /** Makes requests touching [offset, offset + bytes) fail with EIO. */
    public synchronized void failRange(long offset, long bytes) {
        failing.add(new long[] {offset, offset + bytes});
    }

    /** Marks [offset, offset + bytes) as not allocated in this layer (512-byte granularity). */
    public synchronized void markUnallocated(long offset, long bytes) {
        unallocated.set((int) (offset / 512), (int) ((offset + bytes + 511) / 512));
    }

    public synchronized byte[] contents() {
        return Arrays.copyOf(data, (int) length);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    public int lastWriteFlags() {
        return lastWriteFlags;
    }

    /** The vector of the latest read or write, to check how callers shape their buffers. */
    public IoVector lastVector() {
        return lastVector;
    }

    /** Offsets of all reads so far, in the order they reached the node. */
    public synchronized List<Long> readOffsets() {
        return List.copyOf(readOffsets);
    }

    /** The most async requests that were ever running at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String formatName() {
        return "raw";
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public synchronized long length() {
        return length;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public BlockDriver driver() {
        return null;
    }

    @Override
    public void read(long offset, IoVector qiov, int flags) throws BlockException {
        reads.incrementAndGet();
        lastVector = qiov;
        byte[] out = new byte[(int) qiov.size()];
        synchronized (this) {
            readOffsets.add(offset);
            check(offset, out.length);
            if (offset < length) {
                System.arraycopy(data, (int) offset, out, 0, (int) Math.min(out.length, length - offset));
            }
        }
        qiov.copyFrom(0, ByteBuffer.wrap(out));
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        writes.incrementAndGet();
        lastWriteFlags = flags;
        lastVector = qiov;
        byte[] in = qiov.toByteArray();
        synchronized (this) {
            writable();
            check(offset, in.length);
            ensure(offset + in.length);
            System.arraycopy(in, 0, data, (int) offset, in.length);
        }
    }

    @Override
    public synchronized void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        zeroWrites.incrementAndGet();
        lastWriteFlags = flags;
        writable();
        check(offset, bytes);
        ensure(offset + bytes);
        Arrays.fill(data, (int) offset, (int) (offset + bytes), (byte) 0);
    }

    @Override
    public synchronized void discard(long offset, long bytes) throws BlockException {
        discards.incrementAndGet();
        writable();
        check(offset, bytes);
        // Like a punched hole in a raw file: the range reads back as zeroes.
        long end = Math.min(length, offset + bytes);
        if (offset < end) {
            Arrays.fill(data, (int) offset, (int) end, (byte) 0);
        }
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
    }

    @Override
    public synchronized void truncate(long newLength, boolean exact, PreallocMode prealloc) throws BlockException {
        writable();
        ensure(newLength);
        if (newLength < length) {
            Arrays.fill(data, (int) newLength, (int) length, (byte) 0);
        }
        length = newLength;
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long bytes) {
        // Answers at most up to the next 4 KiB boundary, as cluster-at-a-time drivers do.
        long end = Math.min(Math.min(offset + bytes, length), (offset / 4096 + 1) * 4096);
        boolean allocated = !unallocated.get((int) (offset / 512));
        long at = offset;
        while (at < end && !unallocated.get((int) (at / 512)) == allocated) {
            at = Math.min(end, (at / 512 + 1) * 512);
        }
        long len = at - offset;
        return allocated ? BlockStatus.data(offset, len, offset, this) : BlockStatus.unallocated(offset, len);
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
        return async(() -> read(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        return async(() -> write(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return async(() -> writeZeroes(offset, bytes, flags));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return async(() -> discard(offset, bytes));
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return async(this::flush);
    }

    @Override
    public synchronized void close() {
        closed = true;
        pool.shutdown();
    }

    private interface Io {
        void run() throws BlockException;
    }

    private CompletableFuture<Void> async(Io io) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        pool.execute(() -> {
            try {
                beforeAsync();
                io.run();
                inFlight.decrementAndGet();
                f.complete(null);
            } catch (Throwable t) {
                inFlight.decrementAndGet();
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Hook for tests that need async requests to linger (runs on the pool thread). */
    protected void beforeAsync() throws BlockException {
    }

    private void writable() throws BlockException {
        if (readOnly) {
            throw new BlockException(Errno.EROFS, "read-only node");
        }
    }

    private void check(long offset, long bytes) throws BlockException {
        for (long[] r : failing) {
            if (offset < r[1] && offset + bytes > r[0]) {
                throw BlockException.eio(offset, "injected failure");
            }
        }
    }

    private void ensure(long size) {
        if (size > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(size, data.length * 2L));
        }
        if (size > length) {
            length = size;
        }
    }
}
