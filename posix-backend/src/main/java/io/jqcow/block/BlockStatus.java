package io.jqcow.block;

/**
 * Allocation status of the range [offset, offset + length) of one node, as QEMU's block-status.
 *
 * @param offset     guest offset of the range start
 * @param length     bytes with this status (at least 1, possibly less than asked)
 * @param data       the range holds data at this layer (reads may be non-zero)
 * @param zero       the range reads as zeroes
 * @param allocated  this layer decides the content (false: it comes from the backing chain)
 * @param hostOffset byte offset in {@code hostFile} where the data sits raw, or -1
 * @param hostFile   the node that {@code hostOffset} refers to (the file child or a data file), or null
 */
public record BlockStatus(long offset, long length, boolean data, boolean zero, boolean allocated,
                          long hostOffset, BlockNode hostFile) {

    public static BlockStatus data(long offset, long length, long hostOffset, BlockNode hostFile) {
        return new BlockStatus(offset, length, true, false, true, hostOffset, hostFile);
    }

    public static BlockStatus zero(long offset, long length, boolean allocated) {
        return new BlockStatus(offset, length, false, true, allocated, -1, null);
    }

    public static BlockStatus unallocated(long offset, long length) {
        return new BlockStatus(offset, length, false, false, false, -1, null);
    }

    public boolean hasHostOffset() {
        return hostOffset >= 0;
    }

    public BlockStatus withLength(long newLength) {
        return new BlockStatus(offset, newLength, data, zero, allocated, hostOffset, hostFile);
    }
}
