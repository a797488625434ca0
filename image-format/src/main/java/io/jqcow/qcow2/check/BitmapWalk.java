package io.jqcow.qcow2.check;

import static io.jqcow.qcow2.check.CheckImage.hex;

import io.jqcow.block.BlockException;
import java.nio.ByteBuffer;

/** Counts the persistent bitmap directory, each bitmap table and each bitmap data cluster. */
final class BitmapWalk {
    private static final long ENTRY_RESERVED = 0xFF000000000001FEL;
    private static final long ENTRY_OFFSET = 0x00FFFFFFFFFFFE00L;
    private static final long MAX_DIR_BYTES = 1024L * 65535;

    private final ReferenceWalk walk;
    private final CheckImage img;
    private final CheckCounters res;

    BitmapWalk(ReferenceWalk walk, CheckImage img, CheckCounters res) {
        this.walk = walk;
        this.img = img;
        this.res = res;
    }

    void walk(ByteBuffer ext) throws BlockException {
        long nb = Integer.toUnsignedLong(ext.getInt(0));
        long dirSize = ext.getLong(8);
        long dirOffset = ext.getLong(16);
        if (dirSize <= 0 || dirSize > MAX_DIR_BYTES || (dirOffset & img.g.clusterMask()) != 0) {
            img.log.line("ERROR bitmap directory is invalid");
            res.corruptions++;
            return;
        }
        walk.count(dirOffset, dirSize);
        ByteBuffer dir = ByteBuffer.allocate((int) dirSize);
        img.file.read(dirOffset, dir.duplicate());
        int p = 0;
        long seen = 0;
        while (p + 24 <= dir.limit()) {
            long tableOffset = dir.getLong(p);
            long tableSize = Integer.toUnsignedLong(dir.getInt(p + 8));
            int nameSize = dir.getShort(p + 18) & 0xFFFF;
            long extra = Integer.toUnsignedLong(dir.getInt(p + 20));
            if ((tableOffset & img.g.clusterMask()) != 0 || tableSize > 0x8000000L) {
                img.log.line("ERROR bitmap table of bitmap " + seen + " is invalid");
                res.corruptions++;
            } else {
                walkTable(tableOffset, tableSize);
            }
            seen++;
            p += (int) ((24 + extra + nameSize + 7) & ~7L);
        }
        if (seen != nb) {
            img.log.line("ERROR bitmap directory holds " + seen + " entries, the header says " + nb);
            res.corruptions++;
        }
    }

    private void walkTable(long offset, long entries) throws BlockException {
        walk.count(offset, entries * 8);
        long[] t = img.readTable(offset, entries);
        for (long e : t) {
            long data = e & ENTRY_OFFSET;
            if ((e & ENTRY_RESERVED) != 0 || (data != 0 && (e & 1) != 0)) {
                img.log.line("ERROR bitmap table entry 0x" + hex(e) + " is invalid");
                res.corruptions++;
                continue;
            }
            if (data != 0) {
                walk.count(data, img.clusterSize());
            }
        }
    }
}
