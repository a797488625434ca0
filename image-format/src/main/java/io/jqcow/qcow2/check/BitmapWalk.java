package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Persistent bitmaps: validated when the image is opened (as qemu-img does, a bitmap that breaks the
 * constraints makes the image fail to open) and counted into the IMRT: the directory, each bitmap table
 * and each bitmap data cluster.
 */
final class BitmapWalk {
    private static final long ENTRY_RESERVED = 0xFF000000000001FEL;
    private static final long ENTRY_OFFSET = 0x00FFFFFFFFFFFE00L;
    private static final long MAX_DIR_BYTES = 1024L * 65535;
    private static final long MAX_TABLE_ENTRIES = 0x8000000L;
    private static final long MAX_TABLE_BYTES_OF_DATA = 512L << 20;

    /** One directory entry. */
    record Bitmap(String name, long tableOffset, long tableSize, int flags, int type, int granularityBits,
                  long extraSize) {
        boolean inUse() {
            return (flags & 1) != 0;
        }
    }

    private BitmapWalk() {
    }

    /** Reads the directory and checks every bitmap as an open would; failures are open errors. */
    static List<Bitmap> validate(CheckImage img, ByteBuffer ext, long diskSize) throws BlockException {
        long nb = Integer.toUnsignedLong(ext.getInt(0));
        long dirSize = ext.getLong(8);
        long dirOffset = ext.getLong(16);
        if (nb == 0 || nb > 65535 || ext.getInt(4) != 0) {
            throw new BlockException(Errno.EINVAL, 0, "bitmaps_ext: Invalid number of bitmaps");
        }
        if (dirSize == 0 || dirSize > MAX_DIR_BYTES || (dirOffset & img.g.clusterMask()) != 0) {
            throw new BlockException(Errno.EINVAL, 0, "bitmaps_ext: Invalid bitmap directory");
        }
        ByteBuffer dir = ByteBuffer.allocate((int) dirSize);
        img.file.read(dirOffset, dir.duplicate());
        List<Bitmap> out = new ArrayList<>();
        int p = 0;
        while (p < dirSize) {
            if (p + 24 > dirSize) {
                throw new BlockException(Errno.EINVAL, dirOffset, "Failed to read bitmap directory");
            }
            int nameSize = dir.getShort(p + 18) & 0xFFFF;
            long extra = Integer.toUnsignedLong(dir.getInt(p + 20));
            long len = (24 + extra + nameSize + 7) & ~7L;
            if (p + 24 + extra + nameSize > dirSize) {
                throw new BlockException(Errno.EINVAL, dirOffset, "Failed to read bitmap directory");
            }
            String name = new String(dir.array(), (int) (p + 24 + extra), nameSize, StandardCharsets.UTF_8);
            Bitmap b = new Bitmap(name, dir.getLong(p), Integer.toUnsignedLong(dir.getInt(p + 8)),
                    dir.getInt(p + 12), dir.get(p + 16) & 0xFF, dir.get(p + 17) & 0xFF, extra);
            if (!satisfiesConstraints(img, b, nameSize, diskSize)) {
                throw new BlockException(Errno.EINVAL, dirOffset, "Bitmap '" + name + "' doesn't satisfy the constraints");
            }
            out.add(b);
            p += (int) len;
        }
        if (out.size() != nb) {
            throw new BlockException(Errno.EINVAL, dirOffset, "Failed to read bitmap directory");
        }
        for (Bitmap b : out) {
            for (long e : img.readTable(b.tableOffset(), b.tableSize())) {
                if (!validEntry(img, e)) {
                    throw new BlockException(Errno.EINVAL, b.tableOffset(),
                            "Could not read bitmap_table table from image for bitmap '" + b.name() + "': "
                                    + Errno.EINVAL.description());
                }
            }
        }
        return out;
    }

    private static boolean satisfiesConstraints(CheckImage img, Bitmap b, int nameSize, long diskSize) {
        long cs = img.clusterSize();
        if (b.tableOffset() == 0 || (b.tableOffset() & (cs - 1)) != 0 || b.tableSize() == 0
                || b.tableSize() > MAX_TABLE_ENTRIES || b.tableSize() * cs > MAX_TABLE_BYTES_OF_DATA) {
            return false;
        }
        if (b.granularityBits() < 9 || b.granularityBits() > 31 || b.type() != 1 || nameSize == 0
                || nameSize > 1023 || (b.flags() & 0xFFFFFFFC) != 0 || b.extraSize() != 0) {
            return false;
        }
        if (b.inUse()) {
            return true;
        }
        long bits = (diskSize + (1L << b.granularityBits()) - 1) >>> b.granularityBits();
        long bytes = (bits + 7) / 8;
        return b.tableSize() >= (bytes + cs - 1) / cs;
    }

    private static boolean validEntry(CheckImage img, long e) {
        long data = e & ENTRY_OFFSET;
        return (e & ENTRY_RESERVED) == 0 && (data == 0 || (e & 1) == 0) && (data & img.g.clusterMask()) == 0;
    }

    /** Adds the directory, the tables and the data clusters of already validated bitmaps. */
    static void count(ReferenceWalk walk, CheckImage img, ByteBuffer ext, List<Bitmap> bitmaps) throws BlockException {
        walk.count(ext.getLong(16), ext.getLong(8));
        for (Bitmap b : bitmaps) {
            walk.count(b.tableOffset(), b.tableSize() * 8);
            for (long e : img.readTable(b.tableOffset(), b.tableSize())) {
                long data = e & ENTRY_OFFSET;
                if (data != 0) {
                    walk.count(data, img.clusterSize());
                }
            }
        }
    }
}
