package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import java.nio.ByteBuffer;

/** Finds the clusters persistent bitmaps use: the directory, each bitmap table and its data clusters. */
final class BitmapClusters {
    /** Receives one used byte range. */
    interface Visitor {
        void range(long offset, long length);
    }

    private BitmapClusters() {
    }

    static void visit(BlockNode file, BitmapsExtension ext, Visitor v) throws BlockException {
        v.range(ext.directoryOffset(), ext.directorySize());
        ByteBuffer dir = ByteBuffer.allocate((int) Math.min(ext.directorySize(), BitmapsExtension.MAX_DIRECTORY));
        file.read(ext.directoryOffset(), dir.duplicate());
        int p = 0;
        for (long i = 0; i < ext.nbBitmaps() && p + 24 <= dir.limit(); i++) {
            long tableOff = dir.getLong(p);
            long tableSize = Integer.toUnsignedLong(dir.getInt(p + 8));
            int nameSize = dir.getShort(p + 18) & 0xFFFF;
            long extra = Integer.toUnsignedLong(dir.getInt(p + 20));
            v.range(tableOff, 8 * tableSize);
            ByteBuffer bt = ByteBuffer.allocate((int) Math.min(8 * tableSize, 1 << 30));
            file.read(tableOff, bt.duplicate());
            for (int j = 0; j < bt.limit() / 8; j++) {
                long e = bt.getLong(j * 8) & L2Entry.OFFSET_MASK;
                if (e != 0) {
                    v.range(e, 1);
                }
            }
            p += (int) ((24 + extra + nameSize + 7) & ~7L);
        }
    }
}
