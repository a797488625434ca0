package io.jqcow.posix.aio;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reusable native blocks for iocbs and iovec arrays: malloc plus a Cleaner registration per I/O
 * showed up on the hot path, so blocks of the common size are kept and handed out again. Larger
 * requests get a one-off block that is freed on return. Thread-safe.
 */
final class NativeBlocks implements AutoCloseable {

    /** One native block with a cached ByteBuffer view of it (creating views is not free either). */
    static final class Block {
        final Memory mem;
        final ByteBuffer view;
        final long address;

        Block(long size) {
            this.mem = new Memory(size);
            this.view = mem.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
            this.address = Pointer.nativeValue(mem);
        }
    }

    private final long pooledSize;
    private final ConcurrentLinkedQueue<Block> free = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    NativeBlocks(long pooledSize) {
        this.pooledSize = pooledSize;
    }

    /** A block of at least {@code size} bytes (contents undefined). */
    Block take(long size) {
        if (size > pooledSize) {
            return new Block(size);
        }
        Block b = free.poll();
        return b != null ? b : new Block(pooledSize);
    }

    /** Returns a block taken earlier; the caller must not touch it any more. */
    void give(Block b) {
        if (b.mem.size() != pooledSize || closed) {
            b.mem.close();
            return;
        }
        free.add(b);
        if (closed) {
            freeAll(); // close() raced with us: do not leave this one behind
        }
    }

    private void freeAll() {
        for (Block b = free.poll(); b != null; b = free.poll()) {
            b.mem.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        freeAll();
    }
}
