package io.jqcow.posix.aio;

import com.google.common.util.concurrent.Uninterruptibles;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One preadv/pwritev on its way through linux-aio: its iocb, a one-entry iocb pointer array (for
 * submitting it alone) and its iovec array live in one native block that must outlive the
 * kernel's use of it, and either a future the request thread waits on or, for an async request,
 * a callback that the completing thread (normally the reaper) calls after freeing the native block.
 */
final class AioRequest {
    private final long id;
    private final boolean write;
    private final long offset;
    private final long nbytes;
    /** Layout of the native block: iocb, then the iocb pointer slot, then the iovecs. */
    static final int SLOT = Iocb.SIZE;
    static final int IOVECS = SLOT + 8;

    private final NativeBlocks blocks;
    private final NativeBlocks.Block mem;
    private final CompletableFuture<Long> done;
    /** The async caller's callback; null for a request thread that waits on {@link #done}. */
    private final HostFile.IoDone callback;

    static long blockSize(int iovecs) {
        return IOVECS + (long) IoVecs.SIZE * Math.max(1, iovecs);
    }

    AioRequest(NativeBlocks blocks, long id, boolean write, int fd, ByteBuffer[] buffers, long offset)
            throws BlockException {
        this(blocks, id, write, fd, buffers, offset, null);
    }

    /** With a non-null {@code callback}, an async request: it frees itself when it completes. */
    AioRequest(NativeBlocks blocks, long id, boolean write, int fd, ByteBuffer[] buffers, long offset,
               HostFile.IoDone callback) throws BlockException {
        this.id = id;
        this.callback = callback;
        this.done = callback == null ? new CompletableFuture<>() : null;
        this.write = write;
        this.offset = offset;
        this.blocks = blocks;
        this.mem = blocks.take(blockSize(buffers.length));
        try {
            ByteBuffer view = mem.view;
            ByteOrder order = ByteOrder.nativeOrder();
            this.nbytes = IoVecs.encode(buffers, view, IOVECS, order, offset);
            int opcode = write ? AioAbi.IOCB_CMD_PWRITEV : AioAbi.IOCB_CMD_PREADV;
            new Iocb(id, 0, opcode, fd, mem.address + IOVECS, buffers.length, offset).encode(view, 0, order);
            view.putLong(SLOT, mem.address);
        } catch (BlockException | RuntimeException e) {
            blocks.give(mem);
            throw e;
        }
    }

    long id() {
        return id;
    }

    long iocbAddress() {
        return mem.address;
    }

    /** Address of a one-entry iocb* array pointing at this request's iocb. */
    long iocbSlotAddress() {
        return mem.address + SLOT;
    }

    /** Called by the reaper with io_event.res. */
    void complete(long res) {
        long bytes;
        try {
            bytes = AioResults.bytesTransferred(write, res, nbytes, offset);
        } catch (BlockException e) {
            fail(e);
            return;
        }
        if (callback == null) {
            done.complete(bytes);
        } else {
            free();
            callBack(bytes, null);
        }
    }

    void fail(BlockException e) {
        if (callback == null) {
            done.completeExceptionally(e);
        } else {
            free();
            callBack(-1, e);
        }
    }

    boolean isAsync() {
        return callback != null;
    }

    /** A throwing callback must not kill the reaper (nor leave the other events of its batch unserved). */
    private void callBack(long bytes, BlockException failure) {
        try {
            callback.done(bytes, failure);
        } catch (RuntimeException | Error e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }

    void fail(Errno errno, String why) {
        fail(new BlockException(errno, offset, why));
    }

    /**
     * Waits for the kernel, ignoring interrupts: the kernel still owns our buffers until the
     * completion arrives, so giving up early would let the caller reuse memory under a live DMA.
     */
    long await() throws BlockException {
        try {
            return Uninterruptibles.getUninterruptibly(done);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BlockException be) {
                throw be;
            }
            throw new BlockException(Errno.EIO, offset, "linux-aio request failed: " + e.getCause(), e.getCause());
        }
    }

    /** Returns the native block to the pool; only after completion. */
    void free() {
        blocks.give(mem);
    }
}
