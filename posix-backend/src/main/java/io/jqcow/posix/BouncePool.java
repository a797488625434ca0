package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reuses aligned bounce buffers per driver, in two size classes. Direct memory is released only by
 * the GC and every fresh allocation is zero-filled and page-faulted in, so allocating per unaligned
 * request costs more kernel time than the I/O itself (measured: 4K writes at qd32 spent most of
 * their CPU faulting in fresh 1 MiB bounces). Small requests, the common case, take a small buffer
 * from a pool deep enough for every request thread; large ones share a few full-size buffers.
 */
final class BouncePool {
    /** Requests up to this size bounce through a small buffer. */
    static final int SMALL = 64 << 10;

    private final int size;
    private final int smallSize;
    private final int alignment;
    private final ArrayBlockingQueue<ByteBuffer> small;
    private final ArrayBlockingQueue<ByteBuffer> large;

    /**
     * @param size       capacity of a large buffer (a multiple of alignment and of unit)
     * @param alignment  buffer address alignment
     * @param unit       request granularity: a small buffer's capacity is a multiple of it
     * @param keepSmall  small buffers kept for reuse (the request concurrency)
     * @param keepLarge  large buffers kept for reuse
     */
    BouncePool(int size, int alignment, int unit, int keepSmall, int keepLarge) {
        this.size = size;
        this.smallSize = Math.min(size, Math.max(SMALL, Math.max(alignment, unit)));
        this.alignment = alignment;
        this.small = new ArrayBlockingQueue<>(Math.max(1, keepSmall));
        this.large = new ArrayBlockingQueue<>(Math.max(1, keepLarge));
    }

    /**
     * A buffer at position 0 for a request of {@code needed} bytes: {@link #smallSize()} bytes when
     * that holds it, else {@link #size()} bytes (callers loop over larger requests). Give it back
     * with {@link #release}.
     */
    ByteBuffer acquire(long needed) {
        boolean isSmall = needed <= smallSize && smallSize < size;
        ByteBuffer b = (isSmall ? small : large).poll();
        return b != null ? b.clear() : AlignedBuffers.allocate(isSmall ? smallSize : size, alignment);
    }

    /** Returns a buffer from {@link #acquire}; extra buffers are left to the GC. */
    void release(ByteBuffer b) {
        (b.capacity() == smallSize && smallSize < size ? small : large).offer(b);
    }

    int size() {
        return size;
    }

    int smallSize() {
        return smallSize;
    }
}
