package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Struct layouts and errno plumbing, checked against what the JDK and coreutils see. */
class SyscallsTest {
    @TempDir
    Path dir;

    @Test
    void statxAgreesWithTheJdk() throws Exception {
        Path f = TestSupport.newFile(dir, "a", TestSupport.pattern(12345, 1));
        int fd = Syscalls.open(f.toString(), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        try {
            StatxResult st = Syscalls.fstatx(fd);
            assertEquals(12345, st.size());
            assertEquals((int) Files.getAttribute(f, "unix:mode"), st.mode());
            assertTrue(st.isRegularFile());
            assertFalse(st.isBlockDevice());
            assertFalse(st.isDirectory());
        } finally {
            Syscalls.closeFd(fd);
        }
    }

    @Test
    void statfsMagicMatchesStatCommand() throws Exception {
        TestSupport.Result r = TestSupport.run("stat", "-f", "-c", "%t %s", dir.toString());
        String[] f = r.output().trim().split(" ");
        StatfsResult fs = Syscalls.statfs(dir.toString());
        assertEquals(Long.parseLong(f[0], 16), fs.type());
        assertEquals(Long.parseLong(f[1]), fs.blockSize());
    }

    @Test
    void errnoIsReportedRaw() {
        PosixError e = assertThrows(PosixError.class,
                () -> Syscalls.open(dir.resolve("missing").toString(), Syscalls.O_RDONLY, 0));
        assertEquals(Errno.ENOENT.code, e.errno());
        assertEquals("No such file or directory", e.description());
    }

    @Test
    void blockIoctlOnARegularFileIsNotATty() throws Exception {
        Path f = TestSupport.newFile(dir, "b", new byte[4096]);
        int fd = Syscalls.open(f.toString(), Syscalls.O_RDONLY, 0);
        try {
            PosixError e = assertThrows(PosixError.class, () -> Syscalls.ioctlGetInt(fd, Syscalls.BLKSSZGET));
            assertEquals(Errno.ENOTTY, e.kind());
            assertTrue(e.isUnsupported());
        } finally {
            Syscalls.closeFd(fd);
        }
    }

    @Test
    void ofdLocksConflictAcrossDescriptionsOnly() throws Exception {
        Path f = TestSupport.newFile(dir, "c", new byte[512]);
        int a = Syscalls.open(f.toString(), Syscalls.O_RDWR, 0);
        int b = Syscalls.open(f.toString(), Syscalls.O_RDWR, 0);
        try {
            Syscalls.ofdSetLock(a, Syscalls.F_RDLCK, 150, 1);
            assertEquals(Syscalls.F_RDLCK, Syscalls.ofdGetLock(b, Syscalls.F_WRLCK, 150, 1));
            assertEquals(Syscalls.F_UNLCK, Syscalls.ofdGetLock(a, Syscalls.F_WRLCK, 150, 1), "own locks never conflict");
            assertEquals(Syscalls.F_UNLCK, Syscalls.ofdGetLock(b, Syscalls.F_WRLCK, 151, 1));
            assertEquals(java.util.List.of("150-150"), TestSupport.ofdLocks(f));
            PosixError e = assertThrows(PosixError.class, () -> Syscalls.ofdSetLock(b, Syscalls.F_WRLCK, 150, 1));
            assertEquals(Errno.EAGAIN, e.kind());
        } finally {
            Syscalls.closeFd(a);
            Syscalls.closeFd(b);
        }
        assertTrue(TestSupport.ofdLocks(f).isEmpty(), "closing drops OFD locks");
    }

    @Test
    void seekDataAndHoleFindAPunchedHole() throws Exception {
        Path f = TestSupport.newFile(dir, "d", TestSupport.pattern(1 << 20, 2));
        int fd = Syscalls.open(f.toString(), Syscalls.O_RDWR, 0);
        try {
            Syscalls.fallocateRange(fd, HostFile.FALLOC_FL_PUNCH_HOLE | HostFile.FALLOC_FL_KEEP_SIZE, 0, 65536);
            assertEquals(65536, Syscalls.seek(fd, 0, Syscalls.SEEK_DATA));
            assertEquals(0, Syscalls.seek(fd, 0, Syscalls.SEEK_HOLE));
            assertEquals(1 << 20, Syscalls.seek(fd, 65536, Syscalls.SEEK_HOLE));
            PosixError e = assertThrows(PosixError.class, () -> Syscalls.seek(fd, 2 << 20, Syscalls.SEEK_DATA));
            assertEquals(PosixError.ENXIO, e.errno());
        } finally {
            Syscalls.closeFd(fd);
        }
    }
}
