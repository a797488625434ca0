package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reuses a few aligned bounce buffers per driver. Direct memory is released only by the GC, so
 * allocating a fresh buffer for every unaligned request would churn it under heavy I/O.
 */
final class BouncePool {
    private final int size;
    private final int alignment;
    private final ArrayBlockingQueue<ByteBuffer> free;

    BouncePool(int size, int alignment, int keep) {
        this.size = size;
        this.alignment = alignment;
        this.free = new ArrayBlockingQueue<>(keep);
    }

    /** A buffer of exactly {@link #size()} bytes, position 0; give it back with {@link #release}. */
    ByteBuffer acquire() {
        ByteBuffer b = free.poll();
        return b != null ? b.clear() : AlignedBuffers.allocate(size, alignment);
    }

    /** Returns a buffer from {@link #acquire}; extra buffers are left to the GC. */
    void release(ByteBuffer b) {
        free.offer(b);
    }

    int size() {
        return size;
    }
}
