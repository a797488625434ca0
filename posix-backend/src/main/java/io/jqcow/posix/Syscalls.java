package io.jqcow.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.jqcow.block.AlignedBuffers;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The only place that talks to the kernel: JNA direct mapping onto libc. Pointers travel as
 * {@code long} addresses (x86-64 and aarch64 are LP64). Every wrapper retries EINTR and reports
 * failure as a {@link PosixError} carrying the raw errno. Struct offsets were checked with
 * sizeof/offsetof on x86-64 glibc.
 */
public final class Syscalls {
    static {
        // The explicit class: the one-argument form finds its caller through a SecurityManager
        // subclass, whose class initialiser walks every module's packages (about 10 ms at start-up).
        Native.register(Syscalls.class, Platform.C_LIBRARY_NAME);
    }

    /** Does nothing itself: calling it runs the registration above once (see FilePosix#bindNativeCalls). */
    static void bind() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECT = 040000;
    public static final int O_CLOEXEC = 02000000;

    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    public static final long BLKSSZGET = 0x1268;
    public static final long BLKPBSZGET = 0x127b;
    public static final long BLKGETSIZE64 = 0x80081272L;
    public static final long BLKDISCARD = 0x1277;
    public static final long BLKZEROOUT = 0x127f;

    static final int F_OFD_GETLK = 36;
    static final int F_OFD_SETLK = 37;
    public static final short F_RDLCK = 0;
    public static final short F_WRLCK = 1;
    public static final short F_UNLCK = 2;

    private static final int EINTR = 4;
    /** Linux refuses more iovecs than this in one call. */
    public static final int IOV_MAX = 1024;

    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_DIOALIGN = 0x2000;
    private static final int STATX_SIZE = 256;
    private static final int STATFS_SIZE = 120;
    private static final int FLOCK_SIZE = 32;

    private Syscalls() {
    }

    private static native int open(byte[] path, int flags, int mode) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    private static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

    private static native long preadv(int fd, long iov, int iovcnt, long offset) throws LastErrorException;

    private static native long pwritev(int fd, long iov, int iovcnt, long offset) throws LastErrorException;

    private static native int fallocate(int fd, int mode, long offset, long len) throws LastErrorException;

    private static native int ftruncate(int fd, long length) throws LastErrorException;

    private static native int fsync(int fd) throws LastErrorException;

    private static native int fdatasync(int fd) throws LastErrorException;

    private static native int statx(int dirfd, byte[] path, int flags, int mask, long buf) throws LastErrorException;

    private static native int fstatfs(int fd, long buf) throws LastErrorException;

    private static native int statfs(byte[] path, long buf) throws LastErrorException;

    private static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    private static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    private static native int fcntl(int fd, int cmd, long arg) throws LastErrorException;

    /** A native call that may fail with errno. */
    @FunctionalInterface
    private interface Call {
        long run() throws LastErrorException;
    }

    private static long retrying(String name, Call call) throws PosixError {
        while (true) {
            try {
                return call.run();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new PosixError(name, e.getErrorCode());
                }
            }
        }
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static long addr(Memory m) {
        return Pointer.nativeValue(m);
    }

    public static int open(String path, int flags, int mode) throws PosixError {
        byte[] p = cString(path);
        return (int) retrying("open", () -> open(p, flags, mode));
    }

    /** close(2) is not retried on EINTR: Linux has released the descriptor either way. */
    public static void closeFd(int fd) throws PosixError {
        try {
            close(fd);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != EINTR) {
                throw new PosixError("close", e.getErrorCode());
            }
        }
    }

    /** One pread into the buffer's remaining bytes; returns bytes read (0 at EOF). */
    public static long pread(int fd, ByteBuffer buf, long offset) throws PosixError {
        long a = AlignedBuffers.address(buf);
        int n = buf.remaining();
        try {
            return retrying("pread", () -> pread(fd, a, n, offset));
        } finally {
            Reference.reachabilityFence(buf);
        }
    }

    /** One preadv over at most {@link #IOV_MAX} direct buffers (their remaining bytes). */
    public static long preadv(int fd, ByteBuffer[] bufs, long offset) throws PosixError {
        return vectored("preadv", fd, bufs, offset, false);
    }

    /** One pwritev over at most {@link #IOV_MAX} direct buffers (their remaining bytes). */
    public static long pwritev(int fd, ByteBuffer[] bufs, long offset) throws PosixError {
        return vectored("pwritev", fd, bufs, offset, true);
    }

    private static long vectored(String name, int fd, ByteBuffer[] bufs, long offset, boolean write)
            throws PosixError {
        if (bufs.length == 0 || bufs.length > IOV_MAX) {
            throw new IllegalArgumentException(name + " with " + bufs.length + " iovecs");
        }
        if (bufs.length == 1) {
            // The common case needs no iovec array: plain pread/pwrite skip a native allocation
            // (malloc, free and JNA's cleaner bookkeeping) per request. Errors keep the vectored name.
            long a = AlignedBuffers.address(bufs[0]);
            long n = bufs[0].remaining();
            try {
                return retrying(name, () -> write ? pwrite(fd, a, n, offset) : pread(fd, a, n, offset));
            } finally {
                Reference.reachabilityFence(bufs);
            }
        }
        try (Memory iov = new Memory(16L * bufs.length)) {
            for (int i = 0; i < bufs.length; i++) {
                iov.setLong(16L * i, AlignedBuffers.address(bufs[i]));
                iov.setLong(16L * i + 8, bufs[i].remaining());
            }
            long a = addr(iov);
            return retrying(name, () -> write ? pwritev(fd, a, bufs.length, offset) : preadv(fd, a, bufs.length, offset));
        } finally {
            Reference.reachabilityFence(bufs);
        }
    }

    public static void fallocateRange(int fd, int mode, long offset, long len) throws PosixError {
        retrying("fallocate", () -> fallocate(fd, mode, offset, len));
    }

    public static void truncate(int fd, long length) throws PosixError {
        retrying("ftruncate", () -> ftruncate(fd, length));
    }

    public static void fsync(int fd, boolean dataOnly) throws PosixError {
        retrying(dataOnly ? "fdatasync" : "fsync", () -> dataOnly ? fdatasync(fd) : fsync(fd));
    }

    /** lseek(2); whence SEEK_SET=0, SEEK_CUR=1, SEEK_END=2, SEEK_DATA, SEEK_HOLE. */
    public static long seek(int fd, long offset, int whence) throws PosixError {
        return retrying("lseek", () -> lseek(fd, offset, whence));
    }

    /** statx on an open descriptor, asking for the basic stats and the O_DIRECT alignment. */
    public static StatxResult fstatx(int fd) throws PosixError {
        byte[] empty = {0};
        try (Memory m = new Memory(STATX_SIZE)) {
            m.clear();
            long a = addr(m);
            retrying("statx", () -> statx(fd, empty, AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_DIOALIGN, a));
            int mask = m.getInt(0);
            boolean dio = (mask & STATX_DIOALIGN) != 0;
            return new StatxResult(m.getShort(28) & 0xffff, m.getLong(40), m.getInt(4),
                    m.getInt(128), m.getInt(132),
                    dio ? m.getInt(152) : 0, dio ? m.getInt(156) : 0);
        }
    }

    public static StatfsResult fstatfs(int fd) throws PosixError {
        try (Memory m = new Memory(STATFS_SIZE)) {
            long a = addr(m);
            retrying("fstatfs", () -> fstatfs(fd, a));
            return new StatfsResult(m.getLong(0), m.getLong(8));
        }
    }

    public static StatfsResult statfs(String path) throws PosixError {
        byte[] p = cString(path);
        try (Memory m = new Memory(STATFS_SIZE)) {
            long a = addr(m);
            retrying("statfs", () -> statfs(p, a));
            return new StatfsResult(m.getLong(0), m.getLong(8));
        }
    }

    /** An ioctl returning an int through its pointer argument (BLKSSZGET, BLKPBSZGET). */
    public static int ioctlGetInt(int fd, long request) throws PosixError {
        try (Memory m = new Memory(8)) {
            m.clear();
            long a = addr(m);
            retrying("ioctl", () -> ioctl(fd, request, a));
            return m.getInt(0);
        }
    }

    /** An ioctl returning a 64-bit value through its pointer argument (BLKGETSIZE64). */
    public static long ioctlGetLong(int fd, long request) throws PosixError {
        try (Memory m = new Memory(8)) {
            m.clear();
            long a = addr(m);
            retrying("ioctl", () -> ioctl(fd, request, a));
            return m.getLong(0);
        }
    }

    /** An ioctl taking a {start, length} pair of u64 (BLKDISCARD, BLKZEROOUT). */
    public static void ioctlRange(int fd, long request, long start, long length) throws PosixError {
        try (Memory m = new Memory(16)) {
            m.setLong(0, start);
            m.setLong(8, length);
            long a = addr(m);
            retrying("ioctl", () -> ioctl(fd, request, a));
        }
    }

    /**
     * F_OFD_SETLK on [start, start + len): type F_RDLCK, F_WRLCK or F_UNLCK. Fails with EAGAIN when
     * another open file description holds a conflicting lock.
     */
    public static void ofdSetLock(int fd, short type, long start, long len) throws PosixError {
        try (Memory m = flock(type, start, len)) {
            long a = addr(m);
            retrying("fcntl", () -> fcntl(fd, F_OFD_SETLK, a));
        }
    }

    /**
     * F_OFD_GETLK: whether a lock of {@code type} on [start, start + len) would conflict with a lock
     * another open file description holds. Returns the conflicting lock's type, or F_UNLCK.
     */
    public static short ofdGetLock(int fd, short type, long start, long len) throws PosixError {
        try (Memory m = flock(type, start, len)) {
            long a = addr(m);
            retrying("fcntl", () -> fcntl(fd, F_OFD_GETLK, a));
            return m.getShort(0);
        }
    }

    /** struct flock: l_type@0 (short), l_whence@2 (short), l_start@8, l_len@16, l_pid@24 (int). */
    private static Memory flock(short type, long start, long len) {
        Memory m = new Memory(FLOCK_SIZE);
        m.clear();
        m.setShort(0, type);
        m.setShort(2, (short) 0);
        m.setLong(8, start);
        m.setLong(16, len);
        m.setInt(24, 0); // OFD locks require l_pid == 0
        return m;
    }
}
