package io.jqcow.posix.aio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct io_event of linux/aio_abi.h (32 bytes, offsets measured with offsetof()).
 *
 * @param data copy of iocb.aio_data (our request id)
 * @param obj  address of the iocb
 * @param res  bytes transferred, or -errno
 * @param res2 secondary result, unused
 */
public record IoEvent(long data, long obj, long res, long res2) {

    public static final int SIZE = 32;
    static final int DATA = 0;
    static final int OBJ = 8;
    static final int RES = 16;
    static final int RES2 = 24;

    /** Reads event {@code index} of an array of events in {@code source}. */
    public static IoEvent decode(ByteBuffer source, int index, ByteOrder order) {
        ByteBuffer b = source.duplicate().order(order);
        int at = index * SIZE;
        return new IoEvent(b.getLong(at + DATA), b.getLong(at + OBJ), b.getLong(at + RES), b.getLong(at + RES2));
    }
}
