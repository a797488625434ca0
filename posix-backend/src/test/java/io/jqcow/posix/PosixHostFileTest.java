package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixHostFileTest {
    @TempDir
    Path dir;

    private PosixHostFile open(Path p, int flags) throws PosixError {
        return new PosixHostFile(p.toString(), Syscalls.open(p.toString(), flags | Syscalls.O_CLOEXEC, 0), false);
    }

    @Test
    void shortReadAtEofReturnsFewerBytes() throws Exception {
        byte[] content = TestSupport.pattern(1000, 3);
        Path p = TestSupport.newFile(dir, "f", content);
        try (PosixHostFile f = open(p, Syscalls.O_RDONLY)) {
            ByteBuffer a = AlignedBuffers.allocate(600, 8);
            ByteBuffer b = AlignedBuffers.allocate(600, 8);
            long n = f.preadv(new ByteBuffer[] {a, b}, 100);
            assertEquals(900, n);
            byte[] got = new byte[900];
            a.get(got, 0, 600);
            b.get(got, 600, 300);
            assertArrayEquals(Arrays.copyOfRange(content, 100, 1000), got);
            assertEquals(0, f.preadv(new ByteBuffer[] {AlignedBuffers.allocate(16, 8)}, 5000));
        }
    }

    @Test
    void moreSegmentsThanIovMaxAreSplit() throws Exception {
        Path p = TestSupport.newFile(dir, "g", new byte[0]);
        int segs = Syscalls.IOV_MAX * 2 + 7;
        byte[] data = TestSupport.pattern(segs * 3, 4);
        ByteBuffer[] bufs = new ByteBuffer[segs];
        for (int i = 0; i < segs; i++) {
            bufs[i] = TestSupport.direct(Arrays.copyOfRange(data, i * 3, i * 3 + 3), 1);
        }
        try (PosixHostFile f = open(p, Syscalls.O_RDWR)) {
            assertEquals(data.length, f.pwritev(bufs, 10));
            assertEquals(10L + data.length, f.size());
        }
        byte[] onDisk = Files.readAllBytes(p);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 10, onDisk.length));
    }

    @Test
    void fallocateUnsupportedModesBecomeEnotsup() throws Exception {
        Path shm = TestSupport.tmpfsDir();
        assumeTrue(shm != null, "no tmpfs at /dev/shm");
        try {
            Path p = TestSupport.newFile(shm, "h", new byte[65536]);
            try (PosixHostFile f = open(p, Syscalls.O_RDWR)) {
                // tmpfs has no ZERO_RANGE: the kernel says EOPNOTSUPP, which must surface as ENOTSUP
                BlockException e = assertThrows(BlockException.class,
                        () -> f.fallocate(HostFile.FALLOC_FL_ZERO_RANGE, 0, 4096));
                assertEquals(Errno.ENOTSUP, e.errno());
                f.fallocate(HostFile.FALLOC_FL_PUNCH_HOLE | HostFile.FALLOC_FL_KEEP_SIZE, 0, 4096);
            }
        } finally {
            TestSupport.deleteTree(shm);
        }
    }

    @Test
    void errorsCarryTheErrnoKind() throws Exception {
        Path p = TestSupport.newFile(dir, "i", new byte[512]);
        try (PosixHostFile f = open(p, Syscalls.O_RDONLY)) {
            BlockException e = assertThrows(BlockException.class,
                    () -> f.pwritev(new ByteBuffer[] {AlignedBuffers.allocate(512, 512)}, 0));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals(-1, f.seekData(4096), "ENXIO past EOF is -1");
        }
    }

    @Test
    void truncateAndSyncWork() throws Exception {
        Path p = TestSupport.newFile(dir, "j", new byte[512]);
        try (PosixHostFile f = open(p, Syscalls.O_RDWR)) {
            f.ftruncate(1 << 20);
            f.sync(true);
            f.sync(false);
            assertEquals(1 << 20, f.size());
        }
        assertEquals(1 << 20, Files.size(p));
    }
}
