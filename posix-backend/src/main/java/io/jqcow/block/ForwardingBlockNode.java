package io.jqcow.block;

import java.util.concurrent.CompletableFuture;

/**
 * A node that passes every call to another one: the base for decorators (fault injection, crash
 * simulation, accounting) that change a few calls and leave the rest alone.
 */
public abstract class ForwardingBlockNode implements BlockNode {
    private final BlockNode delegate;

    protected ForwardingBlockNode(BlockNode delegate) {
        this.delegate = delegate;
    }

    /** The node calls are passed to. */
    protected final BlockNode delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String formatName() {
        return delegate.formatName();
    }

    @Override
    public Limits limits() {
        return delegate.limits();
    }

    @Override
    public long length() throws BlockException {
        return delegate.length();
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public BlockDriver driver() {
        return delegate.driver();
    }

    @Override
    public void read(long offset, IoVector qiov, int flags) throws BlockException {
        delegate.read(offset, qiov, flags);
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        delegate.write(offset, qiov, flags);
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        delegate.writeZeroes(offset, bytes, flags);
    }

    @Override
    public void discard(long offset, long bytes) throws BlockException {
        delegate.discard(offset, bytes);
    }

    @Override
    public void flush() throws BlockException {
        delegate.flush();
    }

    @Override
    public void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        delegate.truncate(length, exact, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        return delegate.blockStatus(offset, bytes);
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
        return delegate.readAsync(offset, qiov, flags);
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        return delegate.writeAsync(offset, qiov, flags);
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return delegate.writeZeroesAsync(offset, bytes, flags);
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return delegate.discardAsync(offset, bytes);
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return delegate.flushAsync();
    }

    @Override
    public void close() throws BlockException {
        delegate.close();
    }
}
