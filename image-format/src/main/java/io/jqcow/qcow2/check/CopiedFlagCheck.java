package io.jqcow.qcow2.check;

import static io.jqcow.qcow2.check.CheckImage.hex;

import io.jqcow.block.BlockException;
import io.jqcow.qcow2.Geometry;
import io.jqcow.qcow2.L2Entry;
import java.nio.ByteBuffer;

/**
 * Checks OFLAG_COPIED in the active L1 and its L2 tables against the stored refcounts (set exactly
 * when the refcount is 1; always for data clusters in an external data file).
 */
final class CopiedFlagCheck {
    private CopiedFlagCheck() {
    }

    static void run(CheckImage img, CheckCounters res, CheckMode mode, StoredRefcounts stored,
                    RepairOverlapCheck overlap) throws BlockException {
        // -r leaks may touch COPIED only when nothing else is wrong; decided once, up front.
        boolean repair = mode.fixesErrors()
                || mode.fixesLeaks() && res.checkErrors == 0 && res.corruptions == 0 && res.leaks == 0;
        Geometry g = img.g;
        long l1Offset = img.header.l1TableOffset();
        long[] l1 = img.readTable(l1Offset, Integer.toUnsignedLong(img.header.l1Size()));
        ByteBuffer buffer = img.clusterBuffer();
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            long rc;
            try {
                rc = stored.get(l2 >>> g.clusterBits());
            } catch (BlockException e) {
                res.checkErrors++;
                continue;
            }
            boolean copied = (l1[i] & L2Entry.COPIED) != 0;
            if ((rc == 1) != copied) {
                img.log.line((repair ? "Repairing" : "ERROR") + " OFLAG_COPIED L2 cluster: l1_index=" + i
                        + " l1_entry=" + hex(l1[i]) + " refcount=" + Long.toUnsignedString(rc));
                if (repair) {
                    long fixed = rc == 1 ? l1[i] | L2Entry.COPIED : l1[i] & ~L2Entry.COPIED;
                    ByteBuffer b = ByteBuffer.allocate(8).putLong(0, fixed);
                    img.file.write(l1Offset + 8L * i, b);
                    l1[i] = fixed;
                    res.corruptionsFixed++;
                } else {
                    res.corruptions++;
                }
            }
            checkL2(img, res, repair, stored, l2, buffer, overlap);
        }
        if (repair) {
            img.file.flush();
        }
    }

    private static void checkL2(CheckImage img, CheckCounters res, boolean repair, StoredRefcounts stored, long l2,
                                ByteBuffer buffer, RepairOverlapCheck overlap)
            throws BlockException {
        Geometry g = img.g;
        ByteBuffer t = img.readCluster(l2, buffer);
        boolean changed = false;
        for (int j = 0; j < g.l2Entries(); j++) {
            int pos = j * g.l2EntrySize();
            long word = t.getLong(pos);
            L2Entry.Type type = L2Entry.clusterType(word, g);
            if (type != L2Entry.Type.NORMAL && type != L2Entry.Type.ZERO_ALLOC) {
                continue;
            }
            long rc;
            if (img.hasDataFile()) {
                rc = 1;
            } else {
                try {
                    rc = stored.get((word & L2Entry.OFFSET_MASK) >>> g.clusterBits());
                } catch (BlockException e) {
                    res.checkErrors++;
                    continue;
                }
            }
            if ((rc == 1) != ((word & L2Entry.COPIED) != 0)) {
                img.log.line((repair ? "Repairing" : "ERROR") + " OFLAG_COPIED data cluster: l2_entry="
                        + hex(word) + " refcount=" + Long.toUnsignedString(rc));
                if (repair) {
                    t.putLong(pos, rc == 1 ? word | L2Entry.COPIED : word & ~L2Entry.COPIED);
                    changed = true;
                    res.corruptionsFixed++;
                } else {
                    res.corruptions++;
                }
            }
        }
        if (changed) {
            overlap.beforeL2Write(l2, res);
            img.file.write(l2, t.clear());
        }
    }
}
