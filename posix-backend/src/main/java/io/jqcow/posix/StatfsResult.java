package io.jqcow.posix;

/**
 * The parts of fstatfs(2) that matter here.
 *
 * @param type      f_type, the filesystem magic (e.g. 0xEF53 ext4, 0x58465342 xfs)
 * @param blockSize f_bsize, the filesystem's optimal transfer block size
 */
public record StatfsResult(long type, long blockSize) {

    /** The magic as qemu-style hex, e.g. "0xef53". */
    public String typeHex() {
        return "0x" + Long.toHexString(type);
    }
}
