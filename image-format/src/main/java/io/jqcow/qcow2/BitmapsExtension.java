package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;

/** The bitmaps header extension: where the bitmap directory is and how many bitmaps it lists. */
public record BitmapsExtension(long nbBitmaps, long directorySize, long directoryOffset) {
    static final long MAX_BITMAPS = 65535;
    static final long MAX_DIRECTORY = 1024L * MAX_BITMAPS;

    /** Decodes and applies QEMU's checks (reserved field, counts, directory size and alignment). */
    static BitmapsExtension parse(byte[] data, int clusterSize, long at) throws BlockException {
        ByteBuffer b = ByteBuffer.wrap(data);
        long nb = Integer.toUnsignedLong(b.getInt(0));
        if (b.getInt(4) != 0) {
            throw new BlockException(Errno.EINVAL, at, "bitmaps_ext: Reserved field is not zero");
        }
        if (nb == 0) {
            throw new BlockException(Errno.EINVAL, at, "found bitmaps extension with zero bitmaps");
        }
        if (nb > MAX_BITMAPS) {
            throw new BlockException(Errno.EINVAL, at, "bitmaps_ext: File has " + nb
                    + " bitmaps, exceeding the QEMU supported maximum of " + MAX_BITMAPS);
        }
        long size = b.getLong(8);
        long offset = b.getLong(16);
        if (Long.compareUnsigned(size, MAX_DIRECTORY) > 0) {
            throw new BlockException(Errno.EINVAL, at, "bitmaps_ext: bitmap directory size (" + Long.toUnsignedString(size)
                    + ") exceeds the maximum supported size (" + MAX_DIRECTORY + ")");
        }
        if ((offset & (clusterSize - 1)) != 0) {
            throw new BlockException(Errno.EINVAL, at, "bitmaps_ext: invalid bitmap directory offset");
        }
        return new BitmapsExtension(nb, size, offset);
    }
}
