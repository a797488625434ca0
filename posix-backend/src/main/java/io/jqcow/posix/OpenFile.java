package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/**
 * A freshly opened descriptor with its statx, before any driver exists.
 *
 * @param displayPath the path as the user gave it, for messages
 */
record OpenFile(String displayPath, int fd, StatxResult stat) {

    /** open(2) with QEMU's flags for the options, refusing directories. */
    static OpenFile open(FileOptions options) throws BlockException {
        String path = options.path().toString();
        int fd;
        try {
            fd = Syscalls.open(path, flags(options), 0);
        } catch (PosixError e) {
            throw e.toBlock(-1, "Could not open '" + path + "': " + e.description());
        }
        StatxResult stat;
        try {
            stat = Syscalls.fstatx(fd);
        } catch (PosixError e) {
            closeQuietly(fd);
            throw e.toBlock(-1, "Could not open '" + path + "': " + e.description());
        }
        if (stat.isDirectory()) {
            closeQuietly(fd);
            throw new BlockException(Errno.EISDIR, "Could not open '" + path + "': " + Errno.EISDIR.description());
        }
        return new OpenFile(path, fd, stat);
    }

    static int flags(FileOptions options) {
        int flags = (options.readOnly() ? Syscalls.O_RDONLY : Syscalls.O_RDWR) | Syscalls.O_CLOEXEC;
        if (options.cache().direct) {
            flags |= Syscalls.O_DIRECT;
        }
        if (options.cache().dsync) {
            flags |= Syscalls.O_DSYNC;
        }
        return flags;
    }

    void closeQuietly() {
        closeQuietly(fd);
    }

    private static void closeQuietly(int fd) {
        try {
            Syscalls.closeFd(fd);
        } catch (PosixError ignored) {
            // nothing useful to do about a failed close of a descriptor we are abandoning
        }
    }
}
