package io.jqcow.qcow2.check;

import static io.jqcow.qcow2.check.CheckImage.hex;

import io.jqcow.block.BlockException;
import io.jqcow.block.PreallocMode;
import io.jqcow.qcow2.Qcow2Header;
import io.jqcow.qcow2.L2Entry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the IMRT: adds one reference per cluster touched by every piece of metadata and data the
 * image reaches, and reports what is malformed on the way (L1/L2 entries, refcount table entries).
 * L2 tables are streamed one at a time; only the L1 tables and the refcount table are held whole.
 */
final class ReferenceWalk {
    private final CheckImage img;
    private final CheckCounters res;
    private final CheckMode mode;
    private long fileLength;
    private final long refcountMax;
    final ClusterCounts counts;
    /** Set when the stored refcount structure itself is unusable and must be rebuilt. */
    boolean rebuildNeeded;

    ReferenceWalk(CheckImage img, CheckCounters res, CheckMode mode) throws BlockException {
        this.img = img;
        this.res = res;
        this.mode = mode;
        this.fileLength = img.fileLength();
        this.counts = new ClusterCounts(img.fileClusters());
        long max = img.g.refcountMax();
        this.refcountMax = max < 0 || max > Integer.MAX_VALUE ? Integer.MAX_VALUE : max;
    }

    /** Every reference, in QEMU's order; statistics come from the active tree only. */
    void run(CheckSnapshots snaps) throws BlockException {
        Qcow2Header h = img.header;
        count(0, img.clusterSize());
        SharedL2Tables shared = sharedTables(snaps);
        new L1Walk(this, img, res, mode, shared).walk(h.l1TableOffset(), Integer.toUnsignedLong(h.l1Size()), true);
        if (img.hasDataFile() && !snaps.snaps().isEmpty()) {
            img.log.line("ERROR " + snaps.snaps().size() + " snapshots in image with data file");
            res.corruptions++;
        }
        for (CheckSnapshots.Snap s : snaps.snaps()) {
            if ((s.l1Offset() & img.g.clusterMask()) != 0) {
                img.log.line("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_offset=0x" + hex(s.l1Offset())
                        + ": L1 table is not cluster aligned; snapshot table entry corrupted");
                res.corruptions++;
                continue;
            }
            if (s.l1Size() > (32L << 20) / 8) {
                img.log.line("ERROR snapshot " + s.id() + " (" + s.name() + ") l1_size=0x" + hex(s.l1Size())
                        + ": L1 table is too large; snapshot table entry corrupted");
                res.corruptions++;
                continue;
            }
            new L1Walk(this, img, res, mode, shared).walk(s.l1Offset(), s.l1Size(), false);
        }
        count(h.snapshotsOffset(), snaps.tableBytes());
        count(h.refcountTableOffset(), Integer.toUnsignedLong(h.refcountTableClusters()) << img.g.clusterBits());
        if (img.ext.fde() != null) {
            ByteBuffer f = ByteBuffer.wrap(img.ext.fde());
            count(f.getLong(0), f.getLong(8));
        }
        if (img.bitmaps != null) {
            BitmapWalk.count(this, img, ByteBuffer.wrap(img.ext.bitmaps()), img.bitmaps);
        }
        countRefcountBlocks(img.storedRefcounts().table());
    }

    /** The snapshot L1 tables the loop in {@link #run} walks (it reports the others). */
    private boolean walkable(CheckSnapshots.Snap s) {
        return (s.l1Offset() & img.g.clusterMask()) == 0 && s.l1Size() <= (32L << 20) / 8;
    }

    /** Which L2 tables the snapshots share; none when a snapshot L1 cannot be read up front. */
    private SharedL2Tables sharedTables(CheckSnapshots snaps) {
        if (snaps.snaps().isEmpty()) {
            return SharedL2Tables.none();
        }
        List<long[]> l1s = new ArrayList<>();
        for (CheckSnapshots.Snap s : snaps.snaps()) {
            if (walkable(s)) {
                try {
                    l1s.add(img.readTable(s.l1Offset(), s.l1Size()));
                } catch (BlockException e) {
                    return SharedL2Tables.none(); // the walk itself reports it
                }
            }
        }
        return SharedL2Tables.of(l1s, refcountMax);
    }

    /**
     * Adds {@code times} more references to every cluster one walked L2 table maps (its words as
     * read), as that many later walks of it would; false, changing nothing, when that could reach
     * the refcount maximum, so the later walks must run and report the overflow themselves.
     */
    boolean addAhead(long[] words, int stride, int entries, long times) {
        int bits = img.g.clusterBits();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < entries; i++) {
                long word = words[i * stride];
                L2Entry.Type type = L2Entry.clusterType(word, img.g);
                long first;
                long last;
                if (type == L2Entry.Type.COMPRESSED) {
                    L2Entry e = new L2Entry(word, 0);
                    long off = word & ((1L << img.g.compressedShift()) - 1);
                    first = off >>> bits;
                    last = (off + e.compressedSize(img.g) - 1) >>> bits;
                } else if ((type == L2Entry.Type.NORMAL || type == L2Entry.Type.ZERO_ALLOC) && !img.hasDataFile()) {
                    first = (word & L2Entry.OFFSET_MASK) >>> bits;
                    last = first;
                } else {
                    continue;
                }
                for (long c = first; c <= last; c++) {
                    long n = counts.get(c);
                    if (pass == 0 && n * (times + 1) > refcountMax) {
                        return false; // conservative: n already includes this table's references
                    }
                    if (pass == 1) {
                        counts.set(c, n + times);
                    }
                }
            }
        }
        return true;
    }

    private void countRefcountBlocks(long[] table) throws BlockException {
        long fileClusters = img.fileClusters();
        for (int i = 0; i < table.length; i++) {
            long off = table[i] & StoredRefcounts.REFT_OFFSET_MASK;
            long cluster = off >>> img.g.clusterBits();
            if ((table[i] & StoredRefcounts.REFT_RESERVED_MASK) != 0) {
                img.log.line("ERROR refcount table entry " + i + " has reserved bits set");
                res.corruptions++;
                rebuildNeeded = true;
                continue;
            }
            if ((off & img.g.clusterMask()) != 0) {
                img.log.line("ERROR refcount block " + i + " is not cluster aligned; refcount table entry corrupted");
                res.corruptions++;
                rebuildNeeded = true;
                continue;
            }
            if (off == 0) {
                continue;
            }
            if (cluster >= fileClusters) {
                if (!mode.fixesErrors()) {
                    img.log.line("ERROR refcount block " + i + " is outside image");
                    res.corruptions++;
                    continue;
                }
                // Grow the file so the block exists; its refcount is then checked like any other.
                img.log.line("Repairing refcount block " + i + " is outside image");
                try {
                    img.file.truncate(off + img.clusterSize(), false, PreallocMode.OFF);
                    img.file.flush();
                } catch (BlockException e) {
                    img.log.error("Could not resize file: " + e.errno().description());
                    img.log.line("ERROR could not resize image: " + e.errno().description());
                    res.corruptions++;
                    rebuildNeeded = true;
                    continue;
                }
                res.corruptionsFixed++;
                fileLength = img.fileLength();
                fileClusters = img.fileClusters();
                counts.grow(fileClusters);
            }
            count(off, img.clusterSize());
            long n = counts.get(cluster);
            if (n != 1) {
                img.log.line("ERROR refcount block " + i + " refcount=" + n);
                res.corruptions++;
                rebuildNeeded = true;
            }
        }
    }

    /** Adds one reference to every cluster [offset, offset+length) touches. */
    void count(long offset, long length) {
        if (length <= 0) {
            return;
        }
        int bits = img.g.clusterBits();
        if (offset + length - fileLength >= img.clusterSize()) {
            img.log.line("ERROR: counting reference for region exceeding the end of the file by one cluster or more: "
                    + "offset 0x" + hex(offset) + " size 0x" + hex(length));
            res.corruptions++;
            return;
        }
        long last = (offset + length - 1) >>> bits;
        counts.grow(last + 1);
        for (long c = offset >>> bits; c <= last; c++) {
            if (!counts.increment(c, refcountMax)) {
                img.log.line("ERROR: overflow cluster offset=0x" + hex(c << bits));
                res.corruptions++;
            }
        }
    }
}
