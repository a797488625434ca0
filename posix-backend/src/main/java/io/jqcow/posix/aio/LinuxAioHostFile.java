package io.jqcow.posix.aio;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.ForwardingHostFile;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;

/**
 * aio=native: a HostFile whose reads and writes go through linux-aio while everything else
 * (fallocate, ftruncate, size, sync, seek, close) goes to the delegate on the calling thread, as
 * QEMU runs those on its thread pool. The delegate owns the file descriptor; closing this drains
 * and destroys the aio context, then closes the delegate. Request threads block until their I/O
 * completes; buffer positions are left untouched, as with the plain syscalls.
 *
 * <p>The async calls complete on the context's reaper thread. A blocking preadv/pwritev made on
 * that thread (say, by a completion callback) goes to the delegate's plain syscall instead: waiting
 * for the reaper there would wait forever.
 */
public final class LinuxAioHostFile extends ForwardingHostFile {
    private final LinuxAioContext aio;

    private LinuxAioHostFile(HostFile delegate, LinuxAioContext aio) {
        super(delegate);
        this.aio = aio;
    }

    /**
     * Wraps {@code delegate} with a fresh context of {@link LinuxAioContext#DEFAULT_EVENTS} events.
     * On failure the delegate is left open (the caller still owns it).
     *
     * @param maxBatch most requests per io_submit (QEMU's aio-max-batch); 0 means the default, 32
     * @throws BlockException ENOTSUP when linux-aio is unavailable (no syscall numbers, ENOSYS);
     *                        EINVAL for a negative batch size
     */
    public static LinuxAioHostFile wrap(HostFile delegate, int maxBatch) throws BlockException {
        AioAbi abi = AioAbi.forArch(System.getProperty("os.arch"));
        return wrap(delegate, maxBatch, new LibcAioKernel(abi));
    }

    /** As {@link #wrap(HostFile, int)} with a given kernel (tests stand in for it). */
    public static LinuxAioHostFile wrap(HostFile delegate, int maxBatch, AioKernel kernel) throws BlockException {
        return wrap(delegate, maxBatch, LinuxAioContext.DEFAULT_EVENTS, kernel);
    }

    /** With a chosen context size (tests use a small one to exercise the in-flight limit). */
    static LinuxAioHostFile wrap(HostFile delegate, int maxBatch, int events, AioKernel kernel)
            throws BlockException {
        if (maxBatch < 0) {
            throw new BlockException(Errno.EINVAL, "aio-max-batch must not be negative: " + maxBatch);
        }
        int batch = maxBatch == 0 ? LinuxAioContext.DEFAULT_MAX_BATCH : maxBatch;
        LinuxAioContext ctx = LinuxAioContext.open(kernel, events, batch, String.valueOf(delegate.fd()));
        return new LinuxAioHostFile(delegate, ctx);
    }

    @Override
    public long preadv(ByteBuffer[] buffers, long offset) throws BlockException {
        if (aio.isReaperThread()) {
            return delegate.preadv(buffers, offset);
        }
        return aio.submitAndWait(false, delegate.fd(), buffers, offset);
    }

    @Override
    public long pwritev(ByteBuffer[] buffers, long offset) throws BlockException {
        if (aio.isReaperThread()) {
            return delegate.pwritev(buffers, offset);
        }
        return aio.submitAndWait(true, delegate.fd(), buffers, offset);
    }

    @Override
    public boolean supportsAsync() {
        return true;
    }

    @Override
    public void preadvAsync(ByteBuffer[] buffers, long offset, IoDone done) throws BlockException {
        aio.submitAsync(false, delegate.fd(), buffers, offset, done);
    }

    @Override
    public void pwritevAsync(ByteBuffer[] buffers, long offset, IoDone done) throws BlockException {
        aio.submitAsync(true, delegate.fd(), buffers, offset, done);
    }

    @Override
    public void close() throws BlockException {
        try {
            aio.close();
        } finally {
            delegate.close();
        }
    }
}
