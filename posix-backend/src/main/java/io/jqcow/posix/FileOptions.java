package io.jqcow.posix;

import java.nio.file.Path;

/**
 * How to open a file or block device.
 *
 * @param path          the file or device
 * @param readOnly      open O_RDONLY and take only the read permission
 * @param cache         QEMU cache mode
 * @param aio           I/O engine
 * @param locking       image locking
 * @param forceShare    -U: do not ask others to refrain from writing (read-only opens only)
 * @param postEofSerialise per-open override of the XFS policy: auto, off, async-only, always
 * @param allocZeroWrites  per-open override of alloc-space zero writes: auto, on, off
 */
public record FileOptions(Path path, boolean readOnly, CacheMode cache, AioMode aio, LockMode locking,
                          boolean forceShare, String postEofSerialise, String allocZeroWrites) {

    public static FileOptions defaults(Path path, boolean readOnly) {
        return new FileOptions(path, readOnly, CacheMode.WRITEBACK, AioMode.THREADS, LockMode.AUTO, false,
                "auto", "auto");
    }

    public FileOptions withCache(CacheMode c) {
        return new FileOptions(path, readOnly, c, aio, locking, forceShare, postEofSerialise, allocZeroWrites);
    }

    public FileOptions withAio(AioMode a) {
        return new FileOptions(path, readOnly, cache, a, locking, forceShare, postEofSerialise, allocZeroWrites);
    }

    public FileOptions withReadOnly(boolean ro) {
        return new FileOptions(path, ro, cache, aio, locking, forceShare, postEofSerialise, allocZeroWrites);
    }

    public FileOptions withForceShare(boolean fs) {
        return new FileOptions(path, readOnly, cache, aio, locking, fs, postEofSerialise, allocZeroWrites);
    }

    public FileOptions withLocking(LockMode l) {
        return new FileOptions(path, readOnly, cache, aio, l, forceShare, postEofSerialise, allocZeroWrites);
    }

    public FileOptions withPolicy(String postEof, String allocZero) {
        return new FileOptions(path, readOnly, cache, aio, locking, forceShare, postEof, allocZero);
    }
}
