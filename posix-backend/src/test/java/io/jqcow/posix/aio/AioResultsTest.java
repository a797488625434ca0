package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AioResultsTest {

    @Property
    void everyShortWriteIsEnospcAtTheFirstUnwrittenByte(@ForAll @LongRange(min = 1, max = 1L << 30) long nbytes,
                                                        @ForAll @LongRange(min = 0, max = 1L << 30) long res,
                                                        @ForAll @LongRange(min = 0, max = 1L << 40) long offset) {
        long written = res % nbytes;
        BlockException e = assertThrows(BlockException.class,
                () -> AioResults.bytesTransferred(true, written, nbytes, offset));
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals(offset + written, e.offset());
    }

    @Property
    void shortReadsAreReturnedAsIs(@ForAll @LongRange(min = 1, max = 1L << 30) long nbytes,
                                   @ForAll @LongRange(min = 0, max = 1L << 30) long res) throws BlockException {
        long got = res % (nbytes + 1);
        assertEquals(got, AioResults.bytesTransferred(false, got, nbytes, 4096));
    }

    @Test
    void completeWriteReturnsItsLength() throws BlockException {
        assertEquals(8192, AioResults.bytesTransferred(true, 8192, 8192, 0));
    }

    @Test
    void negativeResultIsItsErrno() {
        for (Errno e : new Errno[] {Errno.EIO, Errno.ENOSPC, Errno.EINVAL, Errno.EBADF, Errno.ENOTSUP}) {
            BlockException x = assertThrows(BlockException.class,
                    () -> AioResults.bytesTransferred(false, -e.code, 512, 1024));
            assertEquals(e, x.errno());
            assertEquals(1024, x.offset());
        }
        BlockException odd = assertThrows(BlockException.class,
                () -> AioResults.bytesTransferred(true, -200, 512, 0));
        assertEquals(Errno.EUNKNOWN, odd.errno());
    }
}
