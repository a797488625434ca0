package io.jqcow.block;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A block node as its users see it: every call goes through the request layer (tracking, padding,
 * splitting, zero-fill past EOF). Sync calls run on the calling thread; async calls run on the
 * node's request threads and complete the returned future.
 */
public interface BlockNode extends AutoCloseable {

    String name();

    String formatName();

    Limits limits();

    /** The cached length (raised by writes and truncates that end past it). */
    long length() throws BlockException;

    boolean isReadOnly();

    /** The driver behind this node, for format-specific queries (e.g. qcow2 info). */
    BlockDriver driver();

    void read(long offset, IoVector qiov, int flags) throws BlockException;

    void write(long offset, IoVector qiov, int flags) throws BlockException;

    void writeZeroes(long offset, long bytes, int flags) throws BlockException;

    void discard(long offset, long bytes) throws BlockException;

    void flush() throws BlockException;

    void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException;

    BlockStatus blockStatus(long offset, long bytes) throws BlockException;

    CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags);

    CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags);

    CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags);

    CompletableFuture<Void> discardAsync(long offset, long bytes);

    CompletableFuture<Void> flushAsync();

    @Override
    void close() throws BlockException;

    default void read(long offset, ByteBuffer buf) throws BlockException {
        read(offset, IoVector.of(buf), 0);
    }

    default void write(long offset, ByteBuffer buf) throws BlockException {
        write(offset, IoVector.of(buf), 0);
    }

    default void read(long offset, byte[] buf, int off, int len) throws BlockException {
        read(offset, IoVector.wrap(buf, off, len), 0);
    }

    default void write(long offset, byte[] buf, int off, int len) throws BlockException {
        write(offset, IoVector.wrap(buf, off, len), 0);
    }
}
