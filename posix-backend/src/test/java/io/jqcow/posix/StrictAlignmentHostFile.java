package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;

/**
 * A decorator that behaves like the strictest O_DIRECT kernel path: every iovec must have an
 * {@code memAlign}-aligned base and a {@code lenAlign}-multiple length, else EINVAL. Used to prove
 * the driver never hands such vectors down, whatever the running kernel tolerates.
 */
final class StrictAlignmentHostFile extends FilePosixOpenTest.CountingHostFile {
    private final int memAlign;
    private final int lenAlign;

    StrictAlignmentHostFile(HostFile inner, int memAlign, int lenAlign) {
        super(inner, new java.util.concurrent.atomic.AtomicInteger());
        this.memAlign = memAlign;
        this.lenAlign = lenAlign;
    }

    private void check(ByteBuffer[] bufs, long offset) throws BlockException {
        for (ByteBuffer b : bufs) {
            if (!AlignedBuffers.isAligned(b, memAlign) || b.remaining() % lenAlign != 0) {
                throw new BlockException(Errno.EINVAL, offset, "strict O_DIRECT: misaligned iovec " + b);
            }
        }
    }

    @Override
    public long preadv(ByteBuffer[] b, long o) throws BlockException {
        check(b, o);
        return super.preadv(b, o);
    }

    @Override
    public long pwritev(ByteBuffer[] b, long o) throws BlockException {
        check(b, o);
        return super.pwritev(b, o);
    }
}
