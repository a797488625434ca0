package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.BitmapsExtension;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the qcow2 bitmap directory (names, granularities, flags) for info, and sizes bitmaps for
 * measure. Entries: table offset (8), table size (4), flags (4), type (1), granularity bits (1),
 * name size (2), extra data size (4), extra data, name, padding to 8 bytes.
 */
public final class BitmapDirectory {
    private static final int FLAG_IN_USE = 1;
    private static final int FLAG_AUTO = 2;
    private static final int ENTRY_FIXED = 24;

    private BitmapDirectory() {
    }

    /** The bitmaps of an open qcow2 image; empty when it has none (or they are not valid any more). */
    public static List<BitmapInfo> read(Qcow2Driver q) throws BlockException {
        BitmapsExtension ext = q.extensions().bitmapsExtension();
        if (ext == null || (q.header().autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) == 0) {
            return List.of();
        }
        ByteBuffer dir = ByteBuffer.allocate((int) ext.directorySize());
        q.fileNode().read(ext.directoryOffset(), dir.duplicate());
        List<BitmapInfo> out = new ArrayList<>();
        int pos = 0;
        for (long i = 0; i < ext.nbBitmaps(); i++) {
            if (pos + ENTRY_FIXED > dir.capacity()) {
                throw new BlockException(Errno.EINVAL, ext.directoryOffset() + pos, "Bitmap directory is truncated");
            }
            int flags = dir.getInt(pos + 12);
            int granularityBits = dir.get(pos + 17) & 0xFF;
            int nameSize = dir.getShort(pos + 18) & 0xFFFF;
            int extra = dir.getInt(pos + 20);
            int nameAt = pos + ENTRY_FIXED + extra;
            if (extra < 0 || nameAt + nameSize > dir.capacity()) {
                throw new BlockException(Errno.EINVAL, ext.directoryOffset() + pos, "Bitmap directory is truncated");
            }
            byte[] name = new byte[nameSize];
            dir.get(nameAt, name);
            List<String> f = new ArrayList<>();
            if ((flags & FLAG_IN_USE) != 0) {
                f.add("in-use");
            }
            if ((flags & FLAG_AUTO) != 0) {
                f.add("auto");
            }
            out.add(new BitmapInfo(new String(name, StandardCharsets.UTF_8), 1L << granularityBits, f));
            pos = (nameAt + nameSize + 7) & ~7;
        }
        return out;
    }

    /**
     * Bytes the bitmaps need in a new image of cluster size cs over virtualSize: every bitmap fully
     * allocated, its table, and the directory.
     */
    public static long measure(List<BitmapInfo> bitmaps, long virtualSize, long cs) {
        long total = 0;
        long directory = 0;
        for (BitmapInfo b : bitmaps) {
            long bits = (virtualSize + b.granularity() - 1) / b.granularity();
            long bytes = (bits + 7) / 8;
            long clusters = (bytes + cs - 1) / cs;
            total += clusters * cs;
            total += (clusters * 8 + cs - 1) / cs * cs;
            directory += (ENTRY_FIXED + b.name().getBytes(StandardCharsets.UTF_8).length + 7) & ~7;
        }
        return total + (directory + cs - 1) / cs * cs;
    }
}
