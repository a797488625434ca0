package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

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
    private final boolean enabled;
    private final TreeSet<Long> lockedBytes = new TreeSet<>();
    private LockRequest current = new LockRequest(0, 0);

    private ImageLock(int fd, String displayPath, boolean enabled) {
        this.fd = fd;
        this.displayPath = displayPath;
        this.enabled = enabled;
    }

    /** The locks an open with {@code options} takes: {@code request}, or none with locking=off. */
    public static ImageLock acquireFor(int fd, FileOptions options, LockRequest request) throws BlockException {
        String path = options.path().toString();
        if (options.locking() == LockMode.OFF) {
            return new ImageLock(fd, path, false);
        }
        return acquire(fd, path, request, options.locking() == LockMode.ON);
    }

    /**
     * Takes the locks for {@code request} on {@code fd} or throws EAGAIN with QEMU's message.
     * With {@code required=false} (locking=auto) a filesystem without OFD lock support means no locking.
     */
    public static ImageLock acquire(int fd, String displayPath, LockRequest request, boolean required)
            throws BlockException {
        ImageLock lock = new ImageLock(fd, displayPath, true);
        try {
            lock.update(request);
        } catch (BlockException e) {
            if (!required && e.getCause() instanceof PosixError pe && lockingUnsupported(pe)) {
                return new ImageLock(fd, displayPath, false);
            }
            throw e;
        }
        return lock;
    }

    private static boolean lockingUnsupported(PosixError e) {
        return e.errno() == PosixError.ENOLCK || e.kind() == Errno.ENOTSUP || e.kind() == Errno.EINVAL;
    }

    /**
     * Changes the held/unshared permissions (QEMU's permission update, e.g. once the format on top is
     * known). New bytes are locked and checked first; on a conflict the previous state is restored.
     */
    public synchronized void update(LockRequest request) throws BlockException {
        if (!enabled) {
            return;
        }
        TreeSet<Long> wanted = bytesFor(request);
        List<Long> added = new ArrayList<>();
        try {
            for (long b : wanted) {
                if (!lockedBytes.contains(b)) {
                    Syscalls.ofdSetLock(fd, Syscalls.F_RDLCK, b, 1);
                    added.add(b);
                }
            }
            check(request);
        } catch (PosixError e) {
            unlockQuietly(added);
            throw e.toBlockWithReason(-1, "Failed to lock '" + displayPath + "'");
        } catch (BlockException e) {
            unlockQuietly(added);
            throw e;
        }
        lockedBytes.addAll(added);
        List<Long> dropped = new ArrayList<>();
        for (long b : lockedBytes) {
            if (!wanted.contains(b)) {
                dropped.add(b);
            }
        }
        try {
            for (long b : dropped) {
                Syscalls.ofdSetLock(fd, Syscalls.F_UNLCK, b, 1);
                lockedBytes.remove(b);
            }
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Failed to unlock '" + displayPath + "'");
        }
        current = request;
    }

    private static TreeSet<Long> bytesFor(LockRequest request) {
        TreeSet<Long> out = new TreeSet<>();
        for (LockPermission p : LockPermission.values()) {
            if (request.holds(p)) {
                out.add(p.heldByte());
            }
            if (request.refusesToShare(p)) {
                out.add(p.unsharedByte());
            }
        }
        return out;
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

    private void unlockQuietly(List<Long> bytes) {
        for (long b : bytes) {
            try {
                Syscalls.ofdSetLock(fd, Syscalls.F_UNLCK, b, 1);
            } catch (PosixError ignored) {
                // closing the descriptor drops it anyway; the caller reports the original failure
            }
        }
    }

    /** Whether locks are in use (false with locking=off or on a filesystem without OFD locks under auto). */
    public boolean isEnabled() {
        return enabled;
    }

    /** The permissions currently locked. */
    public synchronized LockRequest current() {
        return current;
    }

    /** The bytes this lock holds, ascending, for diagnostics and tests. */
    public synchronized List<Long> lockedBytes() {
        return List.copyOf(lockedBytes);
    }

    /** Drops the locks while keeping the descriptor open. */
    public void release() throws BlockException {
        update(new LockRequest(0, 0));
    }
}
