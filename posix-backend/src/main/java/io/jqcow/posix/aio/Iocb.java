package io.jqcow.posix.aio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct iocb of linux/aio_abi.h (64 bytes). Offsets were measured with offsetof() on x86_64 and
 * match the header's fixed-width layout on every 64-bit Linux: the only endian-dependent part is
 * the order of aio_key and aio_rw_flags (the header swaps them on big-endian).
 *
 * @param data     aio_data, handed back in io_event.data (our request id)
 * @param rwFlags  aio_rw_flags (RWF_*), 0 here
 * @param opcode   aio_lio_opcode (IOCB_CMD_*)
 * @param fd       aio_fildes
 * @param buf      aio_buf: address of the iovec array for PREADV/PWRITEV
 * @param nbytes   aio_nbytes: number of iovecs for PREADV/PWRITEV
 * @param offset   aio_offset: file offset
 */
public record Iocb(long data, int rwFlags, int opcode, int fd, long buf, long nbytes, long offset) {

    public static final int SIZE = 64;
    static final int DATA = 0;
    static final int KEY_LE = 8;
    static final int RW_FLAGS_LE = 12;
    static final int OPCODE = 16;
    static final int REQPRIO = 18;
    static final int FILDES = 20;
    static final int BUF = 24;
    static final int NBYTES = 32;
    static final int OFFSET = 40;
    static final int RESERVED2 = 48;
    static final int FLAGS = 56;
    static final int RESFD = 60;

    /** Writes the 64 bytes at {@code at} of {@code target} in {@code order}; unused fields become 0. */
    public void encode(ByteBuffer target, int at, ByteOrder order) {
        ByteBuffer b = target.duplicate().order(order);
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        b.putLong(at + DATA, data);
        b.putInt(at + (little ? KEY_LE : RW_FLAGS_LE), 0);
        b.putInt(at + (little ? RW_FLAGS_LE : KEY_LE), rwFlags);
        b.putShort(at + OPCODE, (short) opcode);
        b.putShort(at + REQPRIO, (short) 0);
        b.putInt(at + FILDES, fd);
        b.putLong(at + BUF, buf);
        b.putLong(at + NBYTES, nbytes);
        b.putLong(at + OFFSET, offset);
        b.putLong(at + RESERVED2, 0);
        b.putInt(at + FLAGS, 0);
        b.putInt(at + RESFD, 0);
    }
}
