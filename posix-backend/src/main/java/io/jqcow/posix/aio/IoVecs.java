package io.jqcow.posix.aio;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** struct iovec arrays ({void *iov_base; size_t iov_len}, 16 bytes each on 64-bit). */
final class IoVecs {
    static final int SIZE = 16;

    private IoVecs() {
    }

    /** Writes one iovec per buffer (its remaining bytes) at {@code at}; returns the total length. */
    static long encode(ByteBuffer[] buffers, ByteBuffer target, int at, ByteOrder order, long offset)
            throws BlockException {
        ByteBuffer b = target.duplicate().order(order);
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer buf = buffers[i];
            if (!buf.isDirect()) {
                throw new BlockException(Errno.EINVAL, offset, "linux-aio needs direct buffers");
            }
            b.putLong(at + i * SIZE, AlignedBuffers.address(buf));
            b.putLong(at + i * SIZE + 8, buf.remaining());
            total += buf.remaining();
        }
        return total;
    }
}
