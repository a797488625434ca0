package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The memory driver on its own: strictness, grain states, block status, truncate. */
class MemoryDriverTest {
    private static final Limits A4K = new Limits(4096, 1, 1, 8192, 0, 0);
    private static final RequestContext NONE = RequestContext.NONE;

    @Test
    void rejectsRequestsThatBreakTheDriverContract() {
        MemoryDriver d = new MemoryDriver(65536, A4K);
        assertThrows(IllegalStateException.class, () -> d.read(NONE, 512, IoVector.wrap(new byte[4096]), 0));
        assertThrows(IllegalStateException.class, () -> d.write(NONE, 0, IoVector.wrap(new byte[100]), 0));
        assertThrows(IllegalStateException.class, () -> d.write(NONE, 0, IoVector.wrap(new byte[12288]), 0),
                "longer than maxTransfer");
        assertThrows(IllegalStateException.class, () -> d.writeZeroes(NONE, 4096, 10, 0));
        assertThrows(IllegalStateException.class, () -> d.read(NONE, 65536, IoVector.wrap(new byte[4096]), 0),
                "read starting at EOF");
    }

    @Test
    void tracksDataZeroAndHoleGrainsAndReportsRuns() throws BlockException {
        MemoryDriver d = new MemoryDriver(1 << 20, A4K);
        byte[] ones = new byte[8192];
        Arrays.fill(ones, (byte) 1);
        d.write(NONE, 8192, IoVector.wrap(ones), 0);
        d.write(NONE, 16384, IoVector.wrap(ones), 0);
        d.writeZeroes(NONE, 16384, 4096, 0);
        d.discard(NONE, 20480, 4096);
        assertEquals(MemoryDriver.GrainState.HOLE, d.grainStateAt(0));
        assertEquals(MemoryDriver.GrainState.DATA, d.grainStateAt(12288));
        assertEquals(MemoryDriver.GrainState.ZERO, d.grainStateAt(16384));
        assertEquals(MemoryDriver.GrainState.HOLE, d.grainStateAt(20480));
        assertEquals(BlockStatus.zero(0, 8192, true), d.blockStatus(0, 1 << 20));
        BlockStatus data = d.blockStatus(8192, 1 << 20);
        assertTrue(data.data() && !data.zero());
        assertEquals(8192, data.length());
        assertEquals(BlockStatus.zero(16384, (1 << 20) - 16384, true), d.blockStatus(16384, 1 << 20));
        assertEquals(4096, d.blockStatus(8192, 4096).length(), "never longer than asked");
        byte[] back = new byte[4096];
        d.read(NONE, 16384, IoVector.wrap(back), 0);
        assertArrayEquals(new byte[4096], back);
    }

    @Test
    void writesGrowAndTruncateForgetsTheTail() throws BlockException {
        MemoryDriver d = new MemoryDriver(0, new Limits(1, 1, 1, 0, 0, 0));
        byte[] b = new byte[100];
        Arrays.fill(b, (byte) 9);
        d.write(NONE, 5000, IoVector.wrap(b), 0);
        assertEquals(5100, d.length());
        d.truncate(NONE, 5050, true, PreallocMode.OFF);
        d.truncate(NONE, 6000, true, PreallocMode.OFF);
        byte[] back = new byte[100];
        d.read(NONE, 5000, IoVector.wrap(back), 0);
        byte[] expected = new byte[100];
        Arrays.fill(expected, 0, 50, (byte) 9);
        assertArrayEquals(expected, back);
    }

    @Test
    void switchesOffWriteZeroesAndRefusesWritesWhenReadOnly() {
        MemoryDriver noZero = new MemoryDriver("z", 8192, A4K, false, false);
        assertEquals(Errno.ENOTSUP, assertThrows(BlockException.class,
                () -> noZero.writeZeroes(NONE, 0, 4096, 0)).errno());
        MemoryDriver ro = new MemoryDriver("ro", 8192, A4K, true, true);
        assertTrue(ro.isReadOnly());
        assertFalse(noZero.isReadOnly());
        assertEquals(Errno.EROFS, assertThrows(BlockException.class,
                () -> ro.write(NONE, 0, IoVector.wrap(new byte[4096]), 0)).errno());
    }

    @Test
    void requestThreadsAreNamedDaemonsAndReportFailures() throws Exception {
        RequestThreads threads = new RequestThreads("named", 2);
        Thread t = threads.submit(Thread::currentThread).get();
        assertTrue(t.getName().startsWith("named-"), t.getName());
        assertTrue(t.isDaemon());
        var failed = threads.submit(() -> {
            throw BlockException.eio(7, "boom");
        });
        var e = assertThrows(java.util.concurrent.ExecutionException.class, failed::get);
        assertEquals(Errno.EIO, ((BlockException) e.getCause()).errno());
        threads.close();
        var rejected = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> threads.submit(() -> 1).get());
        assertEquals(Errno.ECANCELED, ((BlockException) rejected.getCause()).errno());
    }
}
