package io.jqcow.posix;

/**
 * The parts of statx(2) that file-posix uses.
 *
 * @param mode           st_mode (file type and permission bits)
 * @param size           st_size (0 for block devices; use BLKGETSIZE64 there)
 * @param blockSize      st_blksize, the preferred I/O size
 * @param rdevMajor      device major number (block devices)
 * @param rdevMinor      device minor number (block devices)
 * @param dioMemAlign    STATX_DIOALIGN memory alignment for O_DIRECT, 0 when unknown or unsupported
 * @param dioOffsetAlign STATX_DIOALIGN offset/length alignment for O_DIRECT, 0 when unknown
 */
public record StatxResult(int mode, long size, int blockSize, int rdevMajor, int rdevMinor,
                          int dioMemAlign, int dioOffsetAlign) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;

    public boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }

    public boolean isCharDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean hasDioAlign() {
        return dioOffsetAlign > 0 && dioMemAlign > 0;
    }
}
