package io.jqcow.posix.aio;

import com.google.common.util.concurrent.Uninterruptibles;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One preadv/pwritev on its way through linux-aio: its iocb and iovec array live in one native
 * block that must outlive the kernel's use of it, and a future the request thread waits on.
 */
final class AioRequest {
    private final long id;
    private final boolean write;
    private final long offset;
    private final long nbytes;
    private final Memory mem;
    private final CompletableFuture<Long> done = new CompletableFuture<>();

    AioRequest(long id, boolean write, int fd, ByteBuffer[] buffers, long offset) throws BlockException {
        this.id = id;
        this.write = write;
        this.offset = offset;
        this.mem = new Memory(Iocb.SIZE + (long) IoVecs.SIZE * Math.max(1, buffers.length));
        try {
            ByteBuffer view = mem.getByteBuffer(0, mem.size());
            ByteOrder order = ByteOrder.nativeOrder();
            this.nbytes = IoVecs.encode(buffers, view, Iocb.SIZE, order, offset);
            int opcode = write ? AioAbi.IOCB_CMD_PWRITEV : AioAbi.IOCB_CMD_PREADV;
            new Iocb(id, 0, opcode, fd, Pointer.nativeValue(mem) + Iocb.SIZE, buffers.length, offset)
                    .encode(view, 0, order);
        } catch (BlockException | RuntimeException e) {
            mem.close();
            throw e;
        }
    }

    long id() {
        return id;
    }

    long iocbAddress() {
        return Pointer.nativeValue(mem);
    }

    /** Called by the reaper with io_event.res. */
    void complete(long res) {
        try {
            done.complete(AioResults.bytesTransferred(write, res, nbytes, offset));
        } catch (BlockException e) {
            done.completeExceptionally(e);
        }
    }

    void fail(BlockException e) {
        done.completeExceptionally(e);
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

    /** Frees the native block; only after completion. */
    void free() {
        mem.close();
    }
}
