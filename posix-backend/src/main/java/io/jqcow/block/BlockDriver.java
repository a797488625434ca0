package io.jqcow.block;

/**
 * What a node's driver implements (file-posix, raw, qcow2). Only the request layer calls it: by the
 * time a call arrives, offsets and lengths are multiples of {@link Limits#requestAlignment()}, no
 * request exceeds {@link Limits#maxTransfer()}, reads do not start past the cached EOF, and
 * conflicting serialising requests have been waited for.
 */
public interface BlockDriver {

    /** Short description for messages, usually the file name. */
    String name();

    /** Format name as qemu-img prints it ("raw", "qcow2", "file", "host_device"). */
    String formatName();

    Limits limits();

    /** The real current length in bytes; the request layer caches it. */
    long length() throws BlockException;

    boolean isReadOnly();

    void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException;

    void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException;

    /**
     * Optional asynchronous {@link #read}: same preconditions and result, but it must not block.
     * Returns false, without side effects and without calling {@code done}, when this driver cannot
     * take this request that way (the request layer then calls read() on a request thread). Returns
     * true when it took the request: {@code done} then runs exactly once, on any thread, possibly
     * before this returns. The default takes nothing, so drivers without an async engine are unchanged.
     */
    default boolean tryReadAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        return false;
    }

    /** Optional asynchronous {@link #write}; the same contract as {@link #tryReadAsync}. */
    default boolean tryWriteAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        return false;
    }

    /** Efficient zeroing, or ENOTSUP (the request layer then falls back unless NO_FALLBACK). */
    void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException;

    /** Advisory deallocation; may do nothing. */
    void discard(RequestContext ctx, long offset, long bytes) throws BlockException;

    void flush() throws BlockException;

    /** Sets the length. {@code exact=false} allows a larger result (block devices). */
    void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc) throws BlockException;

    /** Status of a prefix of [offset, offset + bytes); offset is below length(). */
    BlockStatus blockStatus(long offset, long bytes) throws BlockException;

    /**
     * Whether a format above may use write-zeroes to allocate space (qcow2's handle_alloc_space).
     * File nodes answer from the per-filesystem policy; format nodes pass their file's answer on.
     */
    default boolean allocZeroWritesAllowed() {
        return true;
    }

    /** Releases everything; flushes format metadata first when writable. */
    void close() throws BlockException;
}
