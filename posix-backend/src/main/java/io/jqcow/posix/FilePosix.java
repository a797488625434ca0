package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Opens files and block devices the way QEMU's file-posix does: flags from the cache mode, a
 * directory check, OFD image locks, O_DIRECT alignment probing. The request layer is wrapped
 * around the returned driver elsewhere.
 */
public final class FilePosix {
    private FilePosix() {
    }

    /**
     * Binds the native calls now (JNA registration takes tens of milliseconds). A CLI calls this on
     * a spare thread while it parses its command line, so the first open does not pay for it;
     * calling it any number of times from any thread is harmless.
     */
    public static void bindNativeCalls() {
        Syscalls.bind();
    }

    /** Opens with the plain threaded engine and the neutral policy (no serialising, alloc zero-writes on). */
    public static FilePosixDriver openDriver(FileOptions options) throws BlockException {
        return openDriver(options, null, false, true);
    }

    /**
     * Opens {@code options.path()}.
     *
     * @param decorator wraps the real {@link PosixHostFile} (linux-aio engine, fault injection, the XFS
     *                  race simulator); null for none. aio=native and aio=io_uring are accepted only
     *                  with a decorator, which is then responsible for providing that engine.
     * @param serialisePostEofZeroWrites resolved XFS policy, see {@link FilePosixDriver}
     * @param allocZeroWritesAllowed     resolved alloc-zero-writes policy
     */
    public static FilePosixDriver openDriver(FileOptions options, UnaryOperator<HostFile> decorator,
                                             boolean serialisePostEofZeroWrites, boolean allocZeroWritesAllowed)
            throws BlockException {
        return openDriver(options, decorator, serialisePostEofZeroWrites, allocZeroWritesAllowed,
                LockRequest.forOpen(options.readOnly(), options.forceShare()));
    }

    /**
     * As above with explicit lock permissions (e.g. a raw image, where QEMU shares everything);
     * {@link FilePosixDriver#updateLocks} changes them later.
     */
    public static FilePosixDriver openDriver(FileOptions options, UnaryOperator<HostFile> decorator,
                                             boolean serialisePostEofZeroWrites, boolean allocZeroWritesAllowed,
                                             LockRequest locks) throws BlockException {
        validate(options);
        if (options.aio() != AioMode.THREADS && decorator == null) {
            throw new BlockException(Errno.ENOTSUP, "aio=" + options.aio().qemuName()
                    + " is not available in this build");
        }
        OpenFile opened = OpenFile.open(options);
        try {
            ImageLock lock = ImageLock.acquireFor(opened.fd(), options, locks);
            AlignmentProbe.Result align = AlignmentProbe.probe(opened.fd(), options.cache().direct,
                    opened.stat().isBlockDevice(), opened.stat());
            Limits limits = limitsFor(align, maxTransfer(opened.stat()));
            HostFile host = new PosixHostFile(opened.displayPath(), opened.fd(), opened.stat().isBlockDevice());
            HostFile wrapped = decorator == null ? host : decorator.apply(host);
            return new FilePosixDriver(wrapped, opened.displayPath(), options.cache(), options.readOnly(), limits,
                    serialisePostEofZeroWrites, allocZeroWritesAllowed, lock);
        } catch (BlockException | RuntimeException e) {
            opened.closeQuietly();
            throw e;
        }
    }

    /** Probes without changing the file (fallocate is tried on a scratch file beside it). */
    public static ProbeReport probe(FileOptions options) throws BlockException {
        validate(options);
        OpenFile opened;
        boolean direct = true;
        try {
            opened = OpenFile.open(options.withReadOnly(true).withCache(CacheMode.NONE));
        } catch (BlockException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            direct = false; // the filesystem refuses O_DIRECT: report what can be known without it
            opened = OpenFile.open(options.withReadOnly(true).withCache(CacheMode.WRITEBACK));
        }
        try {
            return FileProber.probe(opened, direct, maxTransfer(opened.stat()));
        } finally {
            opened.closeQuietly();
        }
    }

    /**
     * Creates {@code path} as an empty regular file, or truncates an existing one to zero (qemu-img
     * create's O_TRUNC). With plain syscalls rather than a FileChannel, whose first use loads and
     * initialises the JDK's networking library (a few ms of every create and convert).
     */
    public static void createEmpty(Path path, boolean durable) throws BlockException {
        try {
            int fd = Syscalls.open(path.toString(),
                    Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_CLOEXEC, 0666);
            try {
                if (durable) {
                    Syscalls.fsync(fd, true);
                }
            } finally {
                Syscalls.closeFd(fd);
            }
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not create '" + path + "'");
        }
    }

    /** Writes {@code bytes} zero bytes at the start of an existing file. */
    public static void writeZeroPrefix(Path path, int bytes) throws BlockException {
        try {
            int fd = Syscalls.open(path.toString(), Syscalls.O_WRONLY | Syscalls.O_CLOEXEC, 0);
            try {
                ByteBuffer zero = AlignedBuffers.allocate(bytes, 4096);
                while (zero.hasRemaining()) {
                    long n = Syscalls.pwritev(fd, new ByteBuffer[] {zero}, zero.position());
                    if (n <= 0) {
                        throw new PosixError("pwrite", Errno.ENOSPC.code); // no progress: the disk is full
                    }
                    zero.position(zero.position() + (int) n);
                }
            } finally {
                Syscalls.closeFd(fd);
            }
        } catch (PosixError e) {
            throw e.toBlockWithReason(0, "Could not write the first block of '" + path + "'");
        }
    }

    /** fstatfs of whatever holds {@code path}, for callers that resolve the filesystem policy first. */
    public static StatfsResult filesystemOf(Path path) throws BlockException {
        try {
            return Syscalls.statfs(path.toString());
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not open '" + path + "'");
        }
    }

    /** The option checks QEMU makes before touching the file. */
    static void validate(FileOptions options) throws BlockException {
        if (options.aio() == AioMode.NATIVE && !options.cache().direct) {
            throw new BlockException(Errno.EINVAL,
                    "aio=native was specified, but it requires cache.direct=on, which was not specified.");
        }
        if (options.forceShare() && !options.readOnly()) {
            throw new BlockException(Errno.EINVAL, "force-share=on can only be used with read-only images");
        }
    }

    static Limits limitsFor(AlignmentProbe.Result a, long maxTransfer) {
        int opt = Math.max(a.memAlignment(), 4096); // page alignment never hurts and helps O_DIRECT
        return new Limits(a.requestAlignment(), a.memAlignment(), opt, maxTransfer, 0, 0);
    }

    /**
     * Regular files: unlimited, the kernel takes any length and the HostFile loops over short
     * transfers and IOV_MAX. Block devices: the queue's max_sectors_kb, so one request is one bio
     * sequence the device accepts without the kernel splitting it (what QEMU reads via sysfs too).
     */
    static long maxTransfer(StatxResult stat) {
        if (!stat.isBlockDevice()) {
            return 0;
        }
        Path p = Path.of("/sys/dev/block/" + stat.rdevMajor() + ":" + stat.rdevMinor() + "/queue/max_sectors_kb");
        try {
            long kb = Long.parseLong(Files.readString(p).trim());
            return kb > 0 ? kb * 1024 : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
