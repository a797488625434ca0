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
    /** The L2 table being walked; one direct buffer for the whole walk. */
    private final ByteBuffer l2Buffer;
    /** The same table as words: bulk-converted once, then read as an array. */
    private final long[] words;
    private final SharedL2Tables shared;

    L1Walk(ReferenceWalk walk, CheckImage img, CheckCounters res, CheckMode mode, SharedL2Tables shared) {
        this.walk = walk;
        this.img = img;
        this.res = res;
        this.mode = mode;
        this.g = img.g;
        this.l2Buffer = img.clusterBuffer();
        this.words = new long[img.clusterSize() / 8];
        this.shared = shared;
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
        if (shared.skip(l2Offset, active)) {
            return;
        }
        try {
            img.readCluster(l2Offset, l2Buffer).asLongBuffer().get(words);
        } catch (BlockException e) {
            img.log.line("ERROR: I/O error in check_refcounts_l2");
            res.checkErrors++;
            return;
        }
        long reportsBefore = reports();
        long nextContiguous = 0;
        int stride = g.l2EntrySize() / 8;
        boolean extended = g.extendedL2();
        int entries = g.l2Entries();
        // Raw words, no entry objects: this loop runs once per guest cluster of every L1 table.
        for (int i = 0; i < entries; i++) {
            long word = words[i * stride];
            long bitmap = extended ? words[i * stride + 1] : 0;
            L2Entry.Type type = L2Entry.clusterType(word, g);
            if (type != L2Entry.Type.COMPRESSED && (word & L2Entry.STD_RESERVED_MASK) != 0) {
                img.log.line("ERROR found l2 entry with reserved bits set: " + hex(word));
                res.corruptions++;
            }
            switch (type) {
                case COMPRESSED -> compressed(new L2Entry(word, bitmap), i, active);
                case NORMAL, ZERO_ALLOC -> nextContiguous = allocated(word, bitmap, type,
                        l2Offset + (long) i * g.l2EntrySize(), active, nextContiguous);
                default -> {
                    if (extended && (bitmap & 0xFFFFFFFFL) != 0) {
                        img.log.line("ERROR: Unallocated cluster has non-zero subcluster allocation map");
                        res.corruptions++;
                    }
                }
            }
        }
        if (reports() == reportsBefore) {
            long pending = shared.pendingReferences(l2Offset, active);
            if (pending > 0 && walk.addAhead(words, stride, entries, pending)) {
                shared.markCounted(l2Offset);
            }
        }
    }

    /** Every walk message comes with one of these counters going up. */
    private long reports() {
        return res.corruptions + res.checkErrors + res.corruptionsFixed;
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
    private long allocated(long word, long bitmap, L2Entry.Type type, long entryOffset, boolean active,
                           long nextContiguous) throws BlockException {
        long offset = word & L2Entry.OFFSET_MASK;
        if (g.extendedL2() && ((bitmap >>> 32) & bitmap) != 0) {
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
            boolean noData = g.extendedL2() ? (bitmap & 0xFFFFFFFFL) == 0 : type == L2Entry.Type.ZERO_ALLOC;
            if (noData && mode.fixesErrors()) {
                img.log.line("Repairing offset=" + hex(offset)
                        + ": Preallocated cluster is not properly aligned; L2 entry corrupted.");
                rewriteAsZero(entryOffset);
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
    private void rewriteAsZero(long entryOffset) throws BlockException {
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
