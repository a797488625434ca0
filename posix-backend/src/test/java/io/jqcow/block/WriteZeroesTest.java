package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Write-zeroes through the driver, the zeroed-buffer fallback, NO_FALLBACK, and unaligned edges. */
class WriteZeroesTest {
    private final RequestThreads threads = new RequestThreads("zero-test", 2);

    @AfterEach
    void stop() {
        threads.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(RequestLayer node, int size) throws BlockException {
        byte[] b = new byte[size];
        node.read(0, b, 0, size);
        return b;
    }

    @Test
    void unalignedZeroesUseTheDriverForTheMiddleAndReadModifyWriteForTheEdges() throws BlockException {
        Limits limits = new Limits(4096, 1, 1, 0, 0, 0);
        MemoryDriver mem = new MemoryDriver(65536, limits);
        RecordingDriver rec = new RecordingDriver(mem);
        byte[] model = random(65536, 1);
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(0, model.clone(), 0, model.length);
            rec.clear();
            node.writeZeroes(1000, 20000, 0);
            java.util.Arrays.fill(model, 1000, 21000, (byte) 0);
            assertEquals(List.of(new RecordingDriver.Call("zero", 4096, 16384, 0)), rec.calls("zero"));
            assertEquals(2, rec.calls("write").size(), "head and tail blocks rewritten");
            assertArrayEquals(model, readAll(node, model.length));
            assertEquals(MemoryDriver.GrainState.ZERO, mem.grainStateAt(8192));
            rec.clear();
            node.writeZeroes(30000, 100, 0);
            java.util.Arrays.fill(model, 30000, 30100, (byte) 0);
            assertTrue(rec.calls("zero").isEmpty());
            assertEquals(1, rec.calls("read").size(), "a range inside one block reads it once");
            assertArrayEquals(model, readAll(node, model.length));
        }
    }

    @Test
    void fallsBackToZeroedBuffersWhenTheDriverCannot() throws BlockException {
        Limits limits = new Limits(512, 1, 1, 12288, 0, 0);
        MemoryDriver mem = new MemoryDriver("nozero", 65536, limits, false, false);
        RecordingDriver rec = new RecordingDriver(mem);
        byte[] model = random(65536, 2);
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(0, model.clone(), 0, model.length);
            rec.clear();
            node.writeZeroes(100, 50000, RequestFlags.FUA);
            java.util.Arrays.fill(model, 100, 50100, (byte) 0);
            assertArrayEquals(model, readAll(node, model.length));
            List<RecordingDriver.Call> writes = rec.calls("write");
            assertTrue(writes.stream().allMatch(w -> w.bytes() <= 12288), "fallback respects maxTransfer");
            for (int i = 0; i < writes.size(); i++) {
                assertEquals(i == writes.size() - 1, RequestFlags.has(writes.get(i).flags(), RequestFlags.FUA),
                        "FUA only on the last write: " + writes);
            }
            assertEquals(1, rec.calls("zero").size(), "after ENOTSUP the driver is not asked again");
        }
    }

    @Test
    void fallbackWritesAtMostSixteenMebibytesAtATime() throws BlockException {
        Limits limits = new Limits(4096, 1, 1, 0, 0, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver("nozero", 0, limits, false, false));
        int size = (33 << 20);
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.writeZeroes(0, size, 0);
            List<Long> sizes = rec.calls("write").stream().map(RecordingDriver.Call::bytes).toList();
            assertEquals(List.of(16L << 20, 16L << 20, 1L << 20), sizes);
            assertEquals(size, node.length());
        }
    }

    @Test
    void noFallbackFailsWithEnotsupAndLeavesDataAlone() throws BlockException {
        Limits limits = new Limits(4096, 1, 1, 0, 0, 0);
        MemoryDriver mem = new MemoryDriver("nozero", 16384, limits, false, false);
        byte[] model = random(16384, 3);
        try (RequestLayer node = new RequestLayer(mem, threads)) {
            node.write(0, model.clone(), 0, model.length);
            BlockException e = assertThrows(BlockException.class,
                    () -> node.writeZeroes(4096, 4096, RequestFlags.NO_FALLBACK));
            assertEquals(Errno.ENOTSUP, e.errno());
            BlockException unaligned = assertThrows(BlockException.class,
                    () -> node.writeZeroes(100, 4096, RequestFlags.NO_FALLBACK));
            assertEquals(Errno.ENOTSUP, unaligned.errno());
            assertArrayEquals(model, readAll(node, model.length));
        }
        MemoryDriver capable = new MemoryDriver(16384, limits);
        try (RequestLayer node = new RequestLayer(capable, threads)) {
            node.write(0, model.clone(), 0, model.length);
            node.writeZeroes(4096, 8192, RequestFlags.NO_FALLBACK | RequestFlags.MAY_UNMAP);
            assertEquals(MemoryDriver.GrainState.HOLE, capable.grainStateAt(4096));
            byte[] expected = model.clone();
            java.util.Arrays.fill(expected, 4096, 12288, (byte) 0);
            assertArrayEquals(expected, readAll(node, model.length));
        }
    }

    @Test
    void driverCallsAreSplitAtThePreferredZeroAlignment() throws BlockException {
        Limits limits = new Limits(4096, 1, 1, 0, 65536, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(1 << 20, limits));
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.writeZeroes(4096, 200704, 0);
            List<RecordingDriver.Call> zeroes = rec.calls("zero");
            assertEquals(List.of(new RecordingDriver.Call("zero", 4096, 61440, 0),
                    new RecordingDriver.Call("zero", 65536, 131072, 0),
                    new RecordingDriver.Call("zero", 196608, 8192, 0)), zeroes);
        }
    }
}
