package io.jqcow.block;

/**
 * The end of an asynchronous driver call ({@link BlockDriver#tryReadAsync},
 * {@link BlockDriver#tryWriteAsync}). Called exactly once, on whatever thread finished the I/O
 * (often a linux-aio reaper thread), so it must not block.
 */
@FunctionalInterface
public interface IoCompletion {

    /** @param failure null on success, else why it failed (normally a {@link BlockException}) */
    void done(Throwable failure);
}
