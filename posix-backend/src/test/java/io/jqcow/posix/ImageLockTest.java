package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image locks: byte layout as QEMU 7.2 uses it, conflicts between our opens, interop with qemu-io. */
class ImageLockTest {
    @TempDir
    Path dir;

    private Path qcow2() throws Exception {
        TestSupport.assumeTool("qemu-img");
        Path p = dir.resolve("img.qcow2");
        TestSupport.Result r = TestSupport.run("qemu-img", "create", "-f", "qcow2", p.toString(), "1M");
        assertEquals(0, r.exit(), r.output());
        return p;
    }

    @Test
    void byteLayoutMatchesQemu() throws Exception {
        Path p = TestSupport.newFile(dir, "a.img", new byte[4096]);
        FilePosixDriver rw = FilePosix.openDriver(FileOptions.defaults(p, false));
        try {
            assertEquals(List.of(100L, 101L, 103L, 201L, 203L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)));
        } finally {
            rw.close();
        }
        FilePosixDriver ro = FilePosix.openDriver(FileOptions.defaults(p, true));
        try {
            assertEquals(List.of(100L, 201L, 203L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)));
        } finally {
            ro.close();
        }
        FilePosixDriver shared = FilePosix.openDriver(FileOptions.defaults(p, true).withForceShare(true));
        try {
            assertEquals(List.of(100L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)));
        } finally {
            shared.close();
        }
        FilePosixDriver off = FilePosix.openDriver(FileOptions.defaults(p, false).withLocking(LockMode.OFF));
        try {
            assertEquals(List.of(), TestSupport.ofdLocks(p));
        } finally {
            off.close();
        }
        assertEquals(List.of(), TestSupport.ofdLocks(p), "close drops every lock");
    }

    @Test
    void ourOwnOpensConflictLikeQemus() throws Exception {
        Path p = TestSupport.newFile(dir, "b.img", new byte[4096]);
        FilePosixDriver writer = FilePosix.openDriver(FileOptions.defaults(p, false));
        try {
            BlockException w = assertThrows(BlockException.class,
                    () -> FilePosix.openDriver(FileOptions.defaults(p, false)));
            assertEquals(Errno.EAGAIN, w.errno());
            assertEquals("Failed to get \"write\" lock\nIs another process using the image [" + p + "]?",
                    w.getMessage());
            BlockException r = assertThrows(BlockException.class,
                    () -> FilePosix.openDriver(FileOptions.defaults(p, true)));
            assertEquals("Failed to get shared \"write\" lock\nIs another process using the image [" + p + "]?",
                    r.getMessage());
            FilePosix.openDriver(FileOptions.defaults(p, true).withForceShare(true)).close();
            FilePosix.openDriver(FileOptions.defaults(p, false).withLocking(LockMode.OFF)).close();
            assertEquals(List.of(100L, 101L, 103L, 201L, 203L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)),
                    "failed opens released what they took");
        } finally {
            writer.close();
        }
        FilePosixDriver again = FilePosix.openDriver(FileOptions.defaults(p, false));
        again.close();
    }

    @Test
    void permissionUpdatesRestoreOnConflict() throws Exception {
        Path p = TestSupport.newFile(dir, "u.img", new byte[4096]);
        LockRequest shareAll = new LockRequest(
                LockPermission.maskOf(LockPermission.CONSISTENT_READ, LockPermission.WRITE), 0);
        FilePosixDriver a = FilePosix.openDriver(FileOptions.defaults(p, false), null, false, true, shareAll);
        try {
            FilePosixDriver b = FilePosix.openDriver(FileOptions.defaults(p, false), null, false, true, shareAll);
            try {
                assertEquals(List.of(100L, 101L), a.imageLock().lockedBytes());
                BlockException e = assertThrows(BlockException.class,
                        () -> a.updateLocks(LockRequest.forOpen(false, false)));
                assertTrue(e.getMessage().startsWith("Failed to get shared \"write\" lock"), e.getMessage());
                assertEquals(List.of(100L, 101L), a.imageLock().lockedBytes(), "old state kept");
                assertEquals(shareAll, a.imageLock().current());
            } finally {
                b.close();
            }
            a.updateLocks(LockRequest.forOpen(false, false));
            assertEquals(List.of(100L, 101L, 103L, 201L, 203L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)));
            a.updateLocks(LockRequest.forOpen(true, false));
            assertEquals(List.of(100L, 201L, 203L), TestSupport.lockedBytes(TestSupport.ofdLocks(p)));
            a.imageLock().release();
            assertEquals(List.of(), TestSupport.ofdLocks(p));
        } finally {
            a.close();
        }
    }

    @Test
    void qemuIoHoldingTheImageBlocksOurWriter() throws Exception {
        TestSupport.assumeTool("qemu-io");
        Path p = qcow2();
        Process q = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep 60000", p.toString())
                .redirectErrorStream(true).start();
        try {
            waitForLocks(p, q);
            BlockException e = assertThrows(BlockException.class,
                    () -> FilePosix.openDriver(FileOptions.defaults(p, false)));
            assertEquals(Errno.EAGAIN, e.errno());
            assertEquals("Failed to get \"write\" lock\nIs another process using the image [" + p + "]?",
                    e.getMessage());
            BlockException r = assertThrows(BlockException.class,
                    () -> FilePosix.openDriver(FileOptions.defaults(p, true)));
            assertTrue(r.getMessage().startsWith("Failed to get shared \"write\" lock"), r.getMessage());
            FilePosix.openDriver(FileOptions.defaults(p, true).withForceShare(true)).close();
        } finally {
            q.destroy();
            if (!q.waitFor(10, TimeUnit.SECONDS)) {
                q.destroyForcibly();
            }
        }
    }

    @Test
    void ourLockBlocksQemuIo() throws Exception {
        TestSupport.assumeTool("qemu-io");
        Path p = qcow2();
        FilePosixDriver writer = FilePosix.openDriver(FileOptions.defaults(p, false));
        try {
            TestSupport.Result w = TestSupport.run("qemu-io", "-f", "qcow2", "-c", "write 0 512", p.toString());
            assertNotEquals(0, w.exit());
            assertTrue(w.output().contains("Failed to get \"write\" lock"), w.output());
            assertTrue(w.output().contains("Is another process using the image [" + p + "]?"), w.output());
            TestSupport.Result r = TestSupport.run("qemu-io", "-r", "-f", "qcow2", "-c", "read 0 512", p.toString());
            assertNotEquals(0, r.exit());
            assertTrue(r.output().contains("Failed to get shared \"write\" lock"), r.output());
            TestSupport.Result u = TestSupport.run("qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read 0 512",
                    p.toString());
            assertEquals(0, u.exit(), u.output());
        } finally {
            writer.close();
        }
        TestSupport.Result after = TestSupport.run("qemu-io", "-f", "qcow2", "-c", "write 0 512", p.toString());
        assertEquals(0, after.exit(), after.output());
    }

    /** Polls /proc/locks (not a timing assertion: it only bounds how long we wait for qemu-io to start). */
    private static void waitForLocks(Path p, Process q) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (TestSupport.lockedBytes(TestSupport.ofdLocks(p)).contains(201L)) {
                return;
            }
            if (!q.isAlive()) {
                throw new AssertionError("qemu-io exited: " + new String(q.getInputStream().readAllBytes()));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("qemu-io never locked " + p);
    }
}
