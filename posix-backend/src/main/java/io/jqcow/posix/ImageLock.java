package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU-compatible image locking with OFD byte locks. Every lock is a one-byte shared (read) lock, so
 * taking locks never blocks or fails on other holders; conflicts are found afterwards with
 * F_OFD_GETLK: my held byte 100+p against their unshared byte 200+p, and my unshared byte 200+p
 * against their held byte 100+p. Locking first and testing second means two racing opens both see
 * each other and both fail, never both succeed. Closing the descriptor drops the locks.
 */
public final class ImageLock {
    private final int fd;
    private final String displayPath;
    private final List<Long> lockedBytes = new ArrayList<>();

    private ImageLock(int fd, String displayPath) {
        this.fd = fd;
        this.displayPath = displayPath;
    }

    /** The locks an open with {@code options} takes; none with locking=off. */
    public static ImageLock acquireFor(int fd, FileOptions options) throws BlockException {
        if (options.locking() == LockMode.OFF) {
            return new ImageLock(fd, options.path().toString());
        }
        return acquire(fd, options.path().toString(), LockRequest.forOpen(options.readOnly(), options.forceShare()),
                options.locking() == LockMode.ON);
    }

    /**
     * Takes the locks for {@code request} on {@code fd} or throws EAGAIN with QEMU's message.
     * With {@code required=false} (locking=auto) a filesystem without OFD lock support means no locking.
     */
    public static ImageLock acquire(int fd, String displayPath, LockRequest request, boolean required)
            throws BlockException {
        ImageLock lock = new ImageLock(fd, displayPath);
        try {
            lock.take(request);
            lock.check(request);
        } catch (PosixError e) {
            lock.releaseQuietly();
            if (!required && (e.errno() == PosixError.ENOLCK || e.kind() == Errno.ENOTSUP
                    || e.kind() == Errno.EINVAL)) {
                return new ImageLock(fd, displayPath);
            }
            throw e.toBlockWithReason(-1, "Failed to lock '" + displayPath + "'");
        } catch (BlockException e) {
            lock.releaseQuietly();
            throw e;
        }
        return lock;
    }

    private void take(LockRequest request) throws PosixError {
        for (LockPermission p : LockPermission.values()) {
            if (request.holds(p)) {
                lockByte(p.heldByte());
            }
            if (request.refusesToShare(p)) {
                lockByte(p.unsharedByte());
            }
        }
    }

    private void lockByte(long b) throws PosixError {
        Syscalls.ofdSetLock(fd, Syscalls.F_RDLCK, b, 1);
        lockedBytes.add(b);
    }

    private void check(LockRequest request) throws PosixError, BlockException {
        for (LockPermission p : LockPermission.values()) {
            if (request.holds(p) && othersHold(p.unsharedByte())) {
                throw conflict("Failed to get \"" + p.qemuName + "\" lock");
            }
        }
        for (LockPermission p : LockPermission.values()) {
            if (request.refusesToShare(p) && othersHold(p.heldByte())) {
                throw conflict("Failed to get shared \"" + p.qemuName + "\" lock");
            }
        }
    }

    /** A write lock probe conflicts with any other description's read lock on the byte. */
    private boolean othersHold(long b) throws PosixError {
        return Syscalls.ofdGetLock(fd, Syscalls.F_WRLCK, b, 1) != Syscalls.F_UNLCK;
    }

    private BlockException conflict(String first) {
        // QEMU prints the error and then the hint on its own line.
        return new BlockException(Errno.EAGAIN, first + "\nIs another process using the image [" + displayPath + "]?");
    }

    /** The bytes this lock holds, for diagnostics and tests. */
    public List<Long> lockedBytes() {
        return List.copyOf(lockedBytes);
    }

    /** Drops the locks while keeping the descriptor open. */
    public void release() throws BlockException {
        try {
            for (long b : lockedBytes) {
                Syscalls.ofdSetLock(fd, Syscalls.F_UNLCK, b, 1);
            }
            lockedBytes.clear();
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Failed to unlock '" + displayPath + "'");
        }
    }

    private void releaseQuietly() {
        try {
            release();
        } catch (BlockException ignored) {
            // the caller reports the original failure; closing the fd drops the locks anyway
        }
    }
}
