package io.jqcow.qcow2.check;

import static io.jqcow.qcow2.check.CheckImage.hex;

import io.jqcow.block.BlockException;
import io.jqcow.qcow2.Geometry;
import io.jqcow.qcow2.L2Entry;
import java.nio.ByteBuffer;

/** Counts one L1 table and everything under it, checking each L1 and L2 entry on the way. */
final class L1Walk {
    private final ReferenceWalk walk;
    private final CheckImage img;
    private final CheckCounters res;
    private final CheckMode mode;
    private final Geometry g;

    L1Walk(ReferenceWalk walk, CheckImage img, CheckCounters res, CheckMode mode) {
        this.walk = walk;
        this.img = img;
        this.res = res;
        this.mode = mode;
        this.g = img.g;
    }

    /** @param active the active L1 (only it feeds the allocation statistics) */
    void walk(long l1Offset, long l1Size, boolean active) throws BlockException {
        walk.count(l1Offset, l1Size * 8);
        long[] l1;
        try {
            l1 = img.readTable(l1Offset, l1Size);
        } catch (BlockException e) {
            img.log.line("ERROR: I/O error in check_refcounts_l1");
            res.checkErrors++;
            return;
        }
        for (long e : l1) {
            if ((e & L2Entry.L1_RESERVED_MASK) != 0) {
                img.log.line("ERROR found L1 entry with reserved bits set: " + hex(e));
                res.corruptions++;
            }
            long l2 = e & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            walk.count(l2, g.clusterSize());
            if ((l2 & g.clusterMask()) != 0) {
                img.log.line("ERROR l2_offset=" + hex(l2) + ": Table is not cluster aligned; L1 entry corrupted");
                res.corruptions++;
            }
            walkL2(l2, active);
        }
    }

    private void walkL2(long l2Offset, boolean active) throws BlockException {
        ByteBuffer t;
        try {
            t = img.readCluster(l2Offset);
        } catch (BlockException e) {
            img.log.line("ERROR: I/O error in check_refcounts_l2");
            res.checkErrors++;
            return;
        }
        long nextContiguous = 0;
        int esz = g.l2EntrySize();
        for (int i = 0; i < g.l2Entries(); i++) {
            L2Entry le = new L2Entry(t.getLong(i * esz), g.extendedL2() ? t.getLong(i * esz + 8) : 0);
            L2Entry.Type type = le.clusterType(g);
            if (type != L2Entry.Type.COMPRESSED && (le.word() & L2Entry.STD_RESERVED_MASK) != 0) {
                img.log.line("ERROR found l2 entry with reserved bits set: " + hex(le.word()));
                res.corruptions++;
            }
            switch (type) {
                case COMPRESSED -> compressed(le, i, active);
                case NORMAL, ZERO_ALLOC -> nextContiguous = allocated(le, type, l2Offset + (long) i * esz, active,
                        nextContiguous);
                default -> {
                    if (g.extendedL2() && (le.bitmap() & 0xFFFFFFFFL) != 0) {
                        img.log.line("ERROR: Unallocated cluster has non-zero subcluster allocation map");
                        res.corruptions++;
                    }
                }
            }
        }
    }

    private void compressed(L2Entry le, int index, boolean active) {
        // The descriptor's offset field is everything below the sector count (qemu masks no further).
        long coffset = le.word() & ((1L << g.compressedShift()) - 1);
        if (le.isCopied()) {
            img.log.line("ERROR: coffset=0x" + hex(coffset) + ": copied flag must never be set for compressed clusters");
            res.corruptions++;
        }
        if (img.hasDataFile()) {
            img.log.line("ERROR compressed cluster " + index + " with data file, entry=0x" + hex(le.word()));
            res.corruptions++;
        }
        if (g.extendedL2() && le.bitmap() != 0) {
            img.log.line("ERROR compressed cluster " + index
                    + " with non-zero subcluster allocation bitmap, entry=0x" + hex(le.word()));
            res.corruptions++;
        }
        walk.count(coffset, le.compressedSize(g));
        if (active) {
            res.allocatedClusters++;
            res.compressedClusters++;
            res.fragmentedClusters++;
        }
    }

    /** NORMAL or ZERO_ALLOC: returns the next contiguous host offset for the fragmentation statistic. */
    private long allocated(L2Entry le, L2Entry.Type type, long entryOffset, boolean active, long nextContiguous)
            throws BlockException {
        long offset = le.hostOffset();
        if (g.extendedL2() && ((le.bitmap() >>> 32) & le.bitmap()) != 0) {
            img.log.line("ERROR offset=" + hex(offset) + ": Allocated cluster has corrupted subcluster allocation bitmap");
            res.corruptions++;
        }
        if (active) {
            res.allocatedClusters++;
            if (nextContiguous != 0 && offset != nextContiguous) {
                res.fragmentedClusters++;
            }
            nextContiguous = offset + g.clusterSize();
        }
        if ((offset & g.clusterMask()) != 0) {
            boolean noData = g.extendedL2() ? (le.bitmap() & 0xFFFFFFFFL) == 0 : type == L2Entry.Type.ZERO_ALLOC;
            if (noData && mode.fixesErrors()) {
                img.log.line("Repairing offset=" + hex(offset)
                        + ": Preallocated cluster is not properly aligned; L2 entry corrupted.");
                rewriteAsZero(le, entryOffset);
                res.corruptionsFixed++;
                return nextContiguous;
            }
            img.log.line("ERROR offset=" + hex(offset) + ": " + (noData ? "Preallocated" : "Data")
                    + " cluster is not properly aligned; L2 entry corrupted.");
            res.corruptions++;
        }
        if (!img.hasDataFile()) {
            walk.count(offset, g.clusterSize());
        }
        return nextContiguous;
    }

    /** An unaligned entry that holds no data becomes "reads as zero" without a host cluster. */
    private void rewriteAsZero(L2Entry le, long entryOffset) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(g.l2EntrySize());
        if (g.extendedL2()) {
            b.putLong(0, 0);
            b.putLong(8, 0xFFFFFFFF00000000L);
        } else {
            b.putLong(0, L2Entry.ZERO);
        }
        img.file.write(entryOffset, b);
        img.file.flush();
    }
}
