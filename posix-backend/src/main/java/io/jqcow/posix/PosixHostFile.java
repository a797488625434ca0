package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@link HostFile} on a real descriptor. Transfers loop until done: the kernel may return short
 * counts (signals, the 2 GiB per-call cap, more than IOV_MAX segments), and only a read that
 * returns 0 means EOF.
 */
public final class PosixHostFile implements HostFile {
    private final String path;
    private final int fd;
    private final boolean blockDevice;
    private boolean closed;

    public PosixHostFile(String path, int fd, boolean blockDevice) {
        this.path = path;
        this.fd = fd;
        this.blockDevice = blockDevice;
    }

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
        return blockDevice;
    }

    @Override
    public long preadv(ByteBuffer[] buffers, long offset) throws BlockException {
        return transfer(buffers, offset, false);
    }

    @Override
    public long pwritev(ByteBuffer[] buffers, long offset) throws BlockException {
        return transfer(buffers, offset, true);
    }

    private long transfer(ByteBuffer[] buffers, long offset, boolean write) throws BlockException {
        ByteBuffer[] pending = new ByteBuffer[buffers.length];
        int size = 0;
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                pending[size++] = b.duplicate();
            }
        }
        long done = 0;
        int first = 0;
        while (first < size) {
            int count = Math.min(Syscalls.IOV_MAX, size - first);
            // The usual single call over every buffer passes the array itself, without a copy.
            ByteBuffer[] batch = first == 0 && count == pending.length ? pending
                    : Arrays.copyOfRange(pending, first, first + count);
            long n;
            try {
                n = write ? Syscalls.pwritev(fd, batch, offset + done) : Syscalls.preadv(fd, batch, offset + done);
            } catch (PosixError e) {
                throw e.toBlockWithReason(offset + done, (write ? "Could not write to '" : "Could not read from '")
                        + path + "'");
            }
            if (n == 0) {
                if (write) {
                    throw new BlockException(Errno.ENOSPC, offset + done,
                            "Could not write to '" + path + "': " + Errno.ENOSPC.description());
                }
                return done; // EOF
            }
            done += n;
            first = advance(pending, size, first, n);
        }
        return done;
    }

    /** Consumes n bytes from pending[first..size); returns the index of the first buffer with bytes left. */
    private static int advance(ByteBuffer[] pending, int size, int first, long n) {
        long left = n;
        int i = first;
        while (left > 0) {
            ByteBuffer b = pending[i];
            int take = (int) Math.min(left, b.remaining());
            b.position(b.position() + take);
            left -= take;
            if (!b.hasRemaining()) {
                i++;
            }
        }
        while (i < size && !pending[i].hasRemaining()) {
            i++;
        }
        return i;
    }

    @Override
    public void fallocate(int mode, long offset, long length) throws BlockException {
        try {
            Syscalls.fallocateRange(fd, mode, offset, length);
        } catch (PosixError e) {
            Errno kind = e.isUnsupported() ? Errno.ENOTSUP : e.kind();
            throw new BlockException(kind, offset, "fallocate(mode=0x" + Integer.toHexString(mode) + ") on '"
                    + path + "': " + (e.isUnsupported() ? Errno.ENOTSUP.description() : e.description()), e);
        }
    }

    @Override
    public void ftruncate(long length) throws BlockException {
        try {
            Syscalls.truncate(fd, length);
        } catch (PosixError e) {
            throw e.toBlockWithReason(length, "Failed to resize '" + path + "'");
        }
    }

    @Override
    public long size() throws BlockException {
        try {
            if (blockDevice) {
                return Syscalls.ioctlGetLong(fd, Syscalls.BLKGETSIZE64);
            }
            return Syscalls.fstatx(fd).size();
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not get the size of '" + path + "'");
        }
    }

    @Override
    public void sync(boolean dataOnly) throws BlockException {
        try {
            Syscalls.fsync(fd, dataOnly);
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not flush '" + path + "'");
        }
    }

    @Override
    public long seekData(long offset) throws BlockException {
        return seek(offset, Syscalls.SEEK_DATA);
    }

    @Override
    public long seekHole(long offset) throws BlockException {
        return seek(offset, Syscalls.SEEK_HOLE);
    }

    private long seek(long offset, int whence) throws BlockException {
        try {
            return Syscalls.seek(fd, offset, whence);
        } catch (PosixError e) {
            if (e.errno() == PosixError.ENXIO) {
                return -1;
            }
            throw e.toBlockWithReason(offset, "lseek on '" + path + "'");
        }
    }

    @Override
    public synchronized void close() throws BlockException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Syscalls.closeFd(fd);
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not close '" + path + "'");
        }
    }
}
