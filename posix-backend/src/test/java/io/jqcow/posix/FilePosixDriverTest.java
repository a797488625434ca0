package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePosixDriverTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private FilePosixDriver open(Path p, CacheMode cache) throws BlockException {
        return FilePosix.openDriver(FileOptions.defaults(p, false).withCache(cache));
    }

    @Test
    void alignedDirectIoIsZeroCopyAndRoundTrips() throws Exception {
        Path p = TestSupport.newFile(dir, "a.img", new byte[MIB]);
        byte[] data = TestSupport.pattern(8192, 10);
        try (var d = closing(open(p, CacheMode.NONE))) {
            IoVector v = IoVector.of(TestSupport.direct(Arrays.copyOf(data, 4096), 4096),
                    TestSupport.direct(Arrays.copyOfRange(data, 4096, 8192), 4096));
            assertTrue(d.get().isZeroCopy(v));
            d.get().write(RequestContext.NONE, 65536, v, 0);
            ByteBuffer back = TestSupport.direct(new byte[8192], 4096);
            d.get().read(RequestContext.NONE, 65536, IoVector.of(back), 0);
            assertArrayEquals(data, IoVector.of(back).toByteArray());
        }
        assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(p), 65536, 65536 + 8192));
    }

    @Test
    void heapAndMisalignedSegmentsAreBounced() throws Exception {
        Path p = TestSupport.newFile(dir, "b.img", new byte[MIB]);
        byte[] data = TestSupport.pattern(4096, 11);
        try (var d = closing(open(p, CacheMode.NONE))) {
            // a heap segment and a direct one at an odd address: both need the bounce buffer
            ByteBuffer odd = AlignedBuffers.allocate(2048 + 1, 4096).position(1);
            odd.put(data, 2048, 2048).position(1);
            IoVector v = IoVector.of(ByteBuffer.wrap(data, 0, 2048), odd);
            assertFalse(d.get().isZeroCopy(v));
            d.get().write(RequestContext.NONE, 4096, v, 0);
            byte[] heap = new byte[4096];
            d.get().read(RequestContext.NONE, 4096, IoVector.wrap(heap), 0);
            assertArrayEquals(data, heap);
        }
    }

    @Test
    void readsPastEofAreZeroFilled() throws Exception {
        byte[] content = TestSupport.pattern(5000, 12);
        Path p = TestSupport.newFile(dir, "c.img", content);
        for (CacheMode cache : new CacheMode[] {CacheMode.NONE, CacheMode.WRITEBACK}) {
            try (var d = closing(open(p, cache))) {
                ByteBuffer direct = TestSupport.direct(new byte[8192], 4096);
                for (int i = 0; i < 8192; i++) {
                    direct.put(i, (byte) 0x77);
                }
                d.get().read(RequestContext.NONE, 0, IoVector.of(direct), 0);
                byte[] got = IoVector.of(direct).toByteArray();
                assertArrayEquals(content, Arrays.copyOf(got, 5000), cache.qemuName());
                assertTrue(IoVector.wrap(got).isZero(5000, 8192 - 5000), cache.qemuName());
                byte[] heap = new byte[4096];
                Arrays.fill(heap, (byte) 0x55);
                d.get().read(RequestContext.NONE, 4096, IoVector.wrap(heap), 0);
                assertArrayEquals(Arrays.copyOfRange(content, 4096, 5000), Arrays.copyOf(heap, 904));
                assertTrue(IoVector.wrap(heap).isZero(904, 4096 - 904));
            }
        }
    }

    @Test
    void writeZeroesUsesZeroRangeOnExt4() throws Exception {
        Path p = TestSupport.newFile(dir, "d.img", TestSupport.pattern(MIB, 13));
        try (var d = closing(open(p, CacheMode.WRITEBACK))) {
            d.get().writeZeroes(RequestContext.NONE, 65536, 131072, 0);
            // growing past EOF works too
            d.get().writeZeroes(RequestContext.NONE, MIB, 65536, 0);
            assertEquals(MIB + 65536, d.get().length());
            assertTrue(zeroWriter(d.get()).zeroRangeWorks(), "ext4 must not have fallen down the ladder");
        }
        byte[] onDisk = Files.readAllBytes(p);
        assertTrue(IoVector.wrap(onDisk).isZero(65536, 131072));
        assertFalse(IoVector.wrap(onDisk).isZero(65536 - 4096, 4096));
        assertFalse(IoVector.wrap(onDisk).isZero(65536 + 131072, 4096));
        assertTrue(IoVector.wrap(onDisk).isZero(MIB, 65536));
    }

    @Test
    void writeZeroesWithMayUnmapLeavesAHole() throws Exception {
        Path p = TestSupport.newFile(dir, "u.img", TestSupport.pattern(MIB, 17));
        try (var d = closing(open(p, CacheMode.WRITEBACK))) {
            long full = allocatedBlocks(p);
            d.get().writeZeroes(RequestContext.NONE, 65536, 65536, RequestFlags.MAY_UNMAP);
            BlockStatus s = d.get().blockStatus(65536, 65536);
            assertTrue(s.zero() && !s.data(), "reads as a hole: " + s);
            assertEquals(full - 128, allocatedBlocks(p), "64 KiB (128 sectors) deallocated");
            d.get().writeZeroes(RequestContext.NONE, 0, 65536, 0);
            // ZERO_RANGE keeps the blocks (as unwritten extents, which SEEK_DATA shows as a hole)
            assertEquals(full - 128, allocatedBlocks(p), "without MAY_UNMAP the range stays allocated");
            // reaching past EOF still sets the new length
            d.get().writeZeroes(RequestContext.NONE, MIB - 4096, 8192, RequestFlags.MAY_UNMAP);
            assertEquals(MIB + 4096, d.get().length());
        }
        byte[] onDisk = Files.readAllBytes(p);
        assertTrue(IoVector.wrap(onDisk).isZero(0, 131072));
        assertTrue(IoVector.wrap(onDisk).isZero(MIB - 4096, 8192));
        assertFalse(IoVector.wrap(onDisk).isZero(131072, 4096));
    }

    @Test
    void writeZeroesLadderOnTmpfsPunchesAndReallocates() throws Exception {
        Path shm = TestSupport.tmpfsDir();
        assumeTrue(shm != null, "no tmpfs");
        try {
            Path p = TestSupport.newFile(shm, "z.img", TestSupport.pattern(262144, 14));
            long blocksBefore = allocatedBlocks(p);
            try (var d = closing(open(p, CacheMode.WRITEBACK))) {
                d.get().writeZeroes(RequestContext.NONE, 4096, 8192, 0);
                ZeroWriter z = zeroWriter(d.get());
                assertFalse(z.zeroRangeWorks(), "tmpfs has no ZERO_RANGE; the ladder must remember");
                assertTrue(z.punchWorks());
                assertTrue(z.allocateWorks());
                // punch + allocate leaves the range allocated: the block count is unchanged
                // (a bare punch would drop it by 16 sectors)
                assertEquals(blocksBefore, allocatedBlocks(p));
                // and a range past EOF grows the file
                d.get().writeZeroes(RequestContext.NONE, 262144, 4096, 0);
                assertEquals(262144 + 4096, d.get().length());
            }
            byte[] onDisk = Files.readAllBytes(p);
            assertTrue(IoVector.wrap(onDisk).isZero(4096, 8192));
            assertFalse(IoVector.wrap(onDisk).isZero(0, 4096));
        } finally {
            TestSupport.deleteTree(shm);
        }
    }

    @Test
    void discardMakesAHoleThatBlockStatusReports() throws Exception {
        Path p = TestSupport.newFile(dir, "e.img", TestSupport.pattern(MIB, 15));
        try (var d = closing(open(p, CacheMode.WRITEBACK))) {
            FilePosixDriver drv = d.get();
            assertEquals(new BlockStatus(0, MIB, true, false, true, 0, null), drv.blockStatus(0, MIB));
            drv.discard(RequestContext.NONE, 262144, 131072);
            assertEquals(262144 + 131072, drv.hostFile().seekData(262144), "SEEK_DATA skips the hole");
            BlockStatus head = drv.blockStatus(0, MIB);
            assertEquals(new BlockStatus(0, 262144, true, false, true, 0, null), head);
            BlockStatus hole = drv.blockStatus(262144, MIB - 262144);
            assertEquals(new BlockStatus(262144, 131072, false, true, true, 262144, null), hole);
            BlockStatus tail = drv.blockStatus(393216, MIB - 393216);
            assertTrue(tail.data());
            assertEquals(MIB - 393216, tail.length());
            // a clipped request stays inside what was asked
            assertEquals(4096, drv.blockStatus(262144, 4096).length());
        }
        assertTrue(IoVector.wrap(Files.readAllBytes(p)).isZero(262144, 131072));
    }

    @Test
    void holeAtTheEndOfASparseFile() throws Exception {
        Path p = TestSupport.newFile(dir, "f.img", TestSupport.pattern(4096, 16));
        try (var d = closing(open(p, CacheMode.WRITEBACK))) {
            d.get().truncate(RequestContext.NONE, MIB, true, PreallocMode.OFF);
            BlockStatus s = d.get().blockStatus(4096, MIB - 4096);
            assertTrue(s.zero());
            assertFalse(s.data());
            assertEquals(MIB - 4096, s.length());
        }
    }

    @Test
    void postEofZeroWritesSerialiseOnlyWhenAskedAndPastEof() throws Exception {
        Path p = TestSupport.newFile(dir, "g.img", new byte[65536]);
        RecordingContext ctx = new RecordingContext();
        try (var d = closing(FilePosix.openDriver(FileOptions.defaults(p, false), null, true, false))) {
            assertFalse(d.get().allocZeroWritesAllowed());
            d.get().writeZeroes(ctx, 0, 4096, 0);
            assertEquals(List.of(), ctx.calls, "inside EOF: no serialising");
            d.get().writeZeroes(ctx, 61440, 8192, 0);
            assertEquals(List.of("widen " + Long.MAX_VALUE, "serialise", "wait"), ctx.calls);
        }
        RecordingContext off = new RecordingContext();
        try (var d = closing(FilePosix.openDriver(FileOptions.defaults(p, false), null, false, true))) {
            assertTrue(d.get().allocZeroWritesAllowed());
            d.get().writeZeroes(off, 131072, 8192, 0);
            assertEquals(List.of(), off.calls, "policy off: never serialise");
        }
    }

    @Test
    void truncateModes() throws Exception {
        Path p = TestSupport.newFile(dir, "h.img", new byte[4096]);
        try (var d = closing(open(p, CacheMode.WRITEBACK))) {
            FilePosixDriver drv = d.get();
            BlockException e = assertThrows(BlockException.class,
                    () -> drv.truncate(RequestContext.NONE, MIB, true, PreallocMode.METADATA));
            assertEquals("Unsupported preallocation mode: metadata", e.getMessage());
            assertEquals(Errno.ENOTSUP, e.errno());

            drv.truncate(RequestContext.NONE, MIB, true, PreallocMode.OFF);
            assertEquals(MIB, drv.length());
            long sparseBlocks = allocatedBlocks(p);

            drv.truncate(RequestContext.NONE, 2L * MIB, true, PreallocMode.FALLOC);
            assertEquals(2L * MIB, drv.length());
            long fallocBlocks = allocatedBlocks(p);
            assertTrue(fallocBlocks >= sparseBlocks + 2048, "falloc allocates the new MiB: " + fallocBlocks);

            drv.truncate(RequestContext.NONE, 3L * MIB, true, PreallocMode.FULL);
            assertEquals(3L * MIB, drv.length());
            assertTrue(allocatedBlocks(p) >= fallocBlocks + 2048);
            assertTrue(drv.blockStatus(2L * MIB, MIB).data(), "full preallocation writes real data");

            drv.truncate(RequestContext.NONE, 8192, true, PreallocMode.OFF);
            assertEquals(8192, Files.size(p));
        }
    }

    @Test
    void fullPreallocationFromAnUnalignedEndWorksWithODirect() throws Exception {
        byte[] content = TestSupport.pattern(5000, 18);
        Path p = TestSupport.newFile(dir, "k.img", content);
        try (var d = closing(open(p, CacheMode.NONE))) {
            d.get().truncate(RequestContext.NONE, 70000, true, PreallocMode.FULL);
            assertEquals(70000, d.get().length());
        }
        byte[] onDisk = Files.readAllBytes(p);
        assertEquals(70000, onDisk.length);
        assertArrayEquals(content, Arrays.copyOf(onDisk, 5000));
        assertTrue(IoVector.wrap(onDisk).isZero(5000, 70000 - 5000));
        assertTrue(allocatedBlocks(p) >= 70000 / 512, "every block written: " + allocatedBlocks(p));
    }

    @Test
    void readOnlyNodesRefuseWrites() throws Exception {
        Path p = TestSupport.newFile(dir, "i.img", new byte[4096]);
        try (var d = closing(FilePosix.openDriver(FileOptions.defaults(p, true)))) {
            BlockException e = assertThrows(BlockException.class,
                    () -> d.get().write(RequestContext.NONE, 0, IoVector.wrap(new byte[512]), 0));
            assertEquals(Errno.EPERM, e.errno());
            d.get().flush(); // nothing to flush, must not fail
        }
    }

    @Test
    void flushAndFuaWritesSucceedInEveryCacheMode() throws Exception {
        Path p = TestSupport.newFile(dir, "j.img", new byte[65536]);
        for (CacheMode c : CacheMode.values()) {
            try (var d = closing(open(p, c))) {
                byte[] data = TestSupport.pattern(4096, c.ordinal());
                d.get().write(RequestContext.NONE, 4096, IoVector.of(TestSupport.direct(data, 4096)),
                        RequestFlags.FUA);
                d.get().flush();
                assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(p), 4096, 8192), c.qemuName());
            }
        }
    }

    static long allocatedBlocks(Path p) throws Exception {
        return Long.parseLong(TestSupport.run("stat", "-c", "%b", p.toString()).output().trim());
    }

    static ZeroWriter zeroWriter(FilePosixDriver d) {
        return d.zeroWriter();
    }

    /** try-with-resources for a driver whose close() throws BlockException. */
    static Closing closing(FilePosixDriver d) {
        return new Closing(d);
    }

    record Closing(FilePosixDriver get) implements AutoCloseable {
        @Override
        public void close() throws BlockException {
            get.close();
        }
    }

    /** A request context that records what the driver asked of it. */
    static final class RecordingContext implements RequestContext {
        final List<String> calls = new ArrayList<>();

        @Override public long offset() { return 0; }
        @Override public long bytes() { return 0; }
        @Override public void widenTo(long end) { calls.add("widen " + end); }
        @Override public void serialise() { calls.add("serialise"); }
        @Override public void waitForConflicts() { calls.add("wait"); }
    }
}
