package io.jqcow.posix.aio;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/** Turns an io_event result into a byte count or the error the block layer expects. */
public final class AioResults {
    private AioResults() {
    }

    /**
     * @param write  whether the request was a write
     * @param res    io_event.res: bytes transferred or -errno
     * @param nbytes bytes the request asked for
     * @param offset file offset of the request (for the error)
     * @return bytes transferred; a short read is returned as is (EOF)
     * @throws BlockException -errno as its kind; a short write as ENOSPC (the kernel only writes
     *                        less than asked when it ran out of space or quota)
     */
    public static long bytesTransferred(boolean write, long res, long nbytes, long offset) throws BlockException {
        String op = write ? "write" : "read";
        if (res < 0) {
            Errno e = Errno.of((int) -res);
            String desc = e == Errno.EUNKNOWN ? "errno " + -res : e.description();
            throw new BlockException(e, offset, "linux-aio " + op + " of " + nbytes + " bytes at " + offset
                    + " failed: " + desc);
        }
        if (write && res < nbytes) {
            throw new BlockException(Errno.ENOSPC, offset + res, "linux-aio short write: " + res + " of " + nbytes
                    + " bytes at " + offset + ": " + Errno.ENOSPC.description());
        }
        return res;
    }
}
