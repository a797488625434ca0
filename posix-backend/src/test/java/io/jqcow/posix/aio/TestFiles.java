package io.jqcow.posix.aio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;

/**
 * Test-only libc access: open a file with O_DIRECT, pread/pwrite/close it, and a minimal HostFile
 * over the fd so LinuxAioHostFile has a delegate (the real one is another helper's PosixHostFile).
 */
final class TestFiles {
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    /** O_DIRECT differs per architecture (asm/fcntl.h): 040000 on x86, 0200000 on arm64. */
    static final int O_DIRECT = Platform.isARM() ? 0200000 : 040000;

    private TestFiles() {
    }

    private static final class Libc {
        static {
            Native.register(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int open(String path, int flags, int mode) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

        static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

        static native int ftruncate(int fd, long length) throws LastErrorException;
    }

    static int openDirect(String path) throws BlockException {
        try {
            return Libc.open(path, O_RDWR | O_CREAT | O_DIRECT, 0644);
        } catch (LastErrorException e) {
            throw new BlockException(Errno.of(e.getErrorCode()), "open " + path + ": errno " + e.getErrorCode());
        }
    }

    static long pread(int fd, ByteBuffer buf, long offset) {
        return Libc.pread(fd, AlignedBuffers.address(buf), buf.remaining(), offset);
    }

    /** A HostFile over an fd whose reads/writes are plain pread/pwrite (one buffer at a time). */
    static HostFile hostFile(String path, int fd) {
        return new HostFile() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public int fd() {
                return fd;
            }

            @Override
            public boolean isBlockDevice() {
                return path.startsWith("/dev/");
            }

            @Override
            public long preadv(ByteBuffer[] buffers, long offset) {
                long total = 0;
                for (ByteBuffer b : buffers) {
                    total += Libc.pread(fd, AlignedBuffers.address(b), b.remaining(), offset + total);
                }
                return total;
            }

            @Override
            public long pwritev(ByteBuffer[] buffers, long offset) {
                long total = 0;
                for (ByteBuffer b : buffers) {
                    total += Libc.pwrite(fd, AlignedBuffers.address(b), b.remaining(), offset + total);
                }
                return total;
            }

            @Override
            public void fallocate(int mode, long offset, long length) throws BlockException {
                throw new BlockException(Errno.ENOTSUP, "not in the test adapter");
            }

            @Override
            public void ftruncate(long length) {
                Libc.ftruncate(fd, length);
            }

            @Override
            public long size() throws BlockException {
                throw new BlockException(Errno.ENOTSUP, "not in the test adapter");
            }

            @Override
            public void sync(boolean dataOnly) {
            }

            @Override
            public long seekData(long offset) throws BlockException {
                throw new BlockException(Errno.ENOTSUP, "not in the test adapter");
            }

            @Override
            public long seekHole(long offset) throws BlockException {
                throw new BlockException(Errno.ENOTSUP, "not in the test adapter");
            }

            @Override
            public void close() {
                Libc.close(fd);
            }
        };
    }
}
