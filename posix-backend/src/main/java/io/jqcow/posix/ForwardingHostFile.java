package io.jqcow.posix;

import io.jqcow.block.BlockException;
import java.nio.ByteBuffer;

/**
 * A {@link HostFile} that forwards every call to a delegate. Decorators (the linux-aio engine, the
 * simulated pre-5.5 XFS file, fault injection) extend it and override only what they change.
 * The async calls are deliberately not forwarded: they keep HostFile's defaults, which go through
 * this object's (possibly overridden) preadv/pwritev, so a decorator's changes are never bypassed.
 * An async engine overrides {@link #supportsAsync()} and both async methods itself.
 */
public abstract class ForwardingHostFile implements HostFile {
    protected final HostFile delegate;

    protected ForwardingHostFile(HostFile delegate) {
        this.delegate = delegate;
    }

    @Override
    public String path() {
        return delegate.path();
    }

    @Override
    public int fd() {
        return delegate.fd();
    }

    @Override
    public boolean isBlockDevice() {
        return delegate.isBlockDevice();
    }

    @Override
    public long preadv(ByteBuffer[] buffers, long offset) throws BlockException {
        return delegate.preadv(buffers, offset);
    }

    @Override
    public long pwritev(ByteBuffer[] buffers, long offset) throws BlockException {
        return delegate.pwritev(buffers, offset);
    }

    @Override
    public void fallocate(int mode, long offset, long length) throws BlockException {
        delegate.fallocate(mode, offset, length);
    }

    @Override
    public void ftruncate(long length) throws BlockException {
        delegate.ftruncate(length);
    }

    @Override
    public long size() throws BlockException {
        return delegate.size();
    }

    @Override
    public void sync(boolean dataOnly) throws BlockException {
        delegate.sync(dataOnly);
    }

    @Override
    public long seekData(long offset) throws BlockException {
        return delegate.seekData(offset);
    }

    @Override
    public long seekHole(long offset) throws BlockException {
        return delegate.seekHole(offset);
    }

    @Override
    public void close() throws BlockException {
        delegate.close();
    }
}
