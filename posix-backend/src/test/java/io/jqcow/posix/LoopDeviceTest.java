package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real 4K-sector loop device: the case where the O_DIRECT rules bite. Needs root and losetup. */
class LoopDeviceTest {
    private static final long SIZE = 64L << 20;

    @TempDir
    Path dir;
    private Path device;

    @BeforeEach
    void attach() throws Exception {
        if (!TestSupport.isRoot()) {
            System.out.println("SKIP LoopDeviceTest: not root");
        }
        assumeTrue(TestSupport.isRoot(), "not root");
        TestSupport.assumeTool("losetup");
        Path backing = dir.resolve("backing.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        TestSupport.Result r = TestSupport.run("losetup", "-b", "4096", "-f", "--show", backing.toString());
        if (r.exit() != 0) {
            System.out.println("SKIP LoopDeviceTest: losetup failed: " + r.output());
        }
        assumeTrue(r.exit() == 0, "losetup failed: " + r.output());
        device = Path.of(r.output().trim());
    }

    @AfterEach
    void detach() throws Exception {
        if (device != null) {
            TestSupport.run("losetup", "-d", device.toString());
        }
    }

    private FilePosixDriver open() throws BlockException {
        return FilePosix.openDriver(FileOptions.defaults(device, false).withCache(CacheMode.NONE));
    }

    @Test
    void probeSeesFourKSectors() throws Exception {
        ProbeReport r = FilePosix.probe(FileOptions.defaults(device, true));
        assertTrue(r.blockDevice());
        assertEquals(4096, r.logicalBlockSize());
        assertEquals(4096, r.physicalBlockSize());
        assertEquals(4096, r.probedRequestAlignment(), "trial reads find the 4K sector on their own");
        assertEquals(4096, r.requestAlignment());
        assertEquals("BLKSSZGET", r.alignmentSource());
        assertTrue(r.memAlignment() >= 1 && r.memAlignment() <= 4096);
        assertTrue(r.maxTransfer() >= 4096 && r.maxTransfer() % 4096 == 0, "max_sectors_kb: " + r.maxTransfer());
        assertEquals(ProbeReport.Support.UNKNOWN, r.zeroRange(), "never fallocate on a user's device");
        assertEquals(ProbeReport.Support.NO, r.seekData(), "Linux block devices have no SEEK_DATA");
    }

    @Test
    void alignedIoRoundTripsAndLimitsAreFourK() throws Exception {
        FilePosixDriver d = open();
        try {
            assertEquals("host_device", d.formatName());
            assertEquals(SIZE, d.length());
            assertEquals(4096, d.limits().requestAlignment());
            byte[] data = TestSupport.pattern(16384, 20);
            IoVector v = IoVector.of(TestSupport.direct(data, 4096));
            assertTrue(d.isZeroCopy(v));
            d.write(RequestContext.NONE, 1 << 20, v, 0);
            ByteBuffer back = TestSupport.direct(new byte[16384], 4096);
            d.read(RequestContext.NONE, 1 << 20, IoVector.of(back), 0);
            assertArrayEquals(data, IoVector.of(back).toByteArray());
        } finally {
            d.close();
        }
    }

    @Test
    void smallAlignedIovecsAreBouncedNotEinval() throws Exception {
        FilePosixDriver d = FilePosix.openDriver(FileOptions.defaults(device, false).withCache(CacheMode.NONE),
                real -> new StrictAlignmentHostFile(real, 512, 4096), false, true);
        try {
            int mem = d.limits().memAlignment();
            assumeTrue(mem <= 512, "device wants " + mem + "-aligned memory");
            byte[] data = TestSupport.pattern(4096, 21);
            ByteBuffer[] segs = new ByteBuffer[8];
            for (int i = 0; i < 8; i++) {
                // 512-byte pieces at 512-aligned (but not 4K-aligned) addresses
                ByteBuffer b = AlignedBuffers.allocate(1024, 1024).position(512);
                b.put(data, i * 512, 512).position(512);
                segs[i] = b.slice();
            }
            IoVector v = IoVector.of(segs);
            // Whether the kernel takes this vector directly depends on the kernel and the device's
            // queue limits (loop on 6.18 does; other drivers split per segment and fail with EINVAL),
            // so the driver must never hand it over: it bounces.
            assertFalse(d.isZeroCopy(v));
            BlockException strict = assertThrows(BlockException.class,
                    () -> d.hostFile().pwritev(v.segments(), 0), "the decorator rejects the raw vector");
            assertEquals(Errno.EINVAL, strict.errno());
            d.write(RequestContext.NONE, 0, v, 0);
            ByteBuffer back = TestSupport.direct(new byte[4096], 4096);
            d.read(RequestContext.NONE, 0, IoVector.of(back), 0);
            assertArrayEquals(data, IoVector.of(back).toByteArray());
            // and reads into the same kind of vector bounce too
            for (ByteBuffer s : segs) {
                for (int i = 0; i < 512; i++) {
                    s.put(i, (byte) 0);
                }
            }
            d.read(RequestContext.NONE, 0, v, 0);
            assertArrayEquals(data, v.toByteArray());
        } finally {
            d.close();
        }
    }

    @Test
    void zeroesDiscardAndResizeRulesOnADevice() throws Exception {
        FilePosixDriver d = open();
        try {
            byte[] data = TestSupport.pattern(65536, 22);
            d.write(RequestContext.NONE, 0, IoVector.of(TestSupport.direct(data, 4096)), 0);
            d.writeZeroes(RequestContext.NONE, 0, 16384, 0);
            d.writeZeroes(RequestContext.NONE, 16384, 16384, RequestFlags.NO_FALLBACK | RequestFlags.MAY_UNMAP);
            d.discard(RequestContext.NONE, 32768, 32768);
            ByteBuffer back = TestSupport.direct(new byte[65536], 4096);
            d.read(RequestContext.NONE, 0, IoVector.of(back), 0);
            assertTrue(IoVector.of(back).isZero(0, 32768), "write-zeroes zeroed the device");
            assertTrue(d.blockStatus(0, 65536).data(), "devices report data");

            d.truncate(RequestContext.NONE, SIZE, true, PreallocMode.OFF);
            d.truncate(RequestContext.NONE, SIZE / 2, false, PreallocMode.OFF);
            BlockException exact = assertThrows(BlockException.class,
                    () -> d.truncate(RequestContext.NONE, SIZE / 2, true, PreallocMode.OFF));
            assertEquals("Cannot resize device files", exact.getMessage());
            BlockException grow = assertThrows(BlockException.class,
                    () -> d.truncate(RequestContext.NONE, SIZE * 2, false, PreallocMode.OFF));
            assertEquals("Cannot grow device files", grow.getMessage());
            BlockException pre = assertThrows(BlockException.class,
                    () -> d.truncate(RequestContext.NONE, SIZE, true, PreallocMode.FALLOC));
            assertEquals("Preallocation mode 'falloc' unsupported for this non-regular file", pre.getMessage());
            assertEquals(SIZE, d.length());
        } finally {
            d.close();
        }
    }
}
