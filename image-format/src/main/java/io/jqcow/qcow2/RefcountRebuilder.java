package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Rebuilds the refcount structures of a dirty image from what the metadata references (the lazy
 * refcounts recovery): counts every reference, writes a fresh table and blocks after the used area,
 * switches the header to them, then fixes COPIED flags in the active tables and clears the dirty bit.
 */
final class RefcountRebuilder {
    private final BlockNode file;
    private final Qcow2Header h;
    private final HeaderExtensions ext;
    private final Geometry g;
    private long[] counts = new long[64];
    private long used;

    RefcountRebuilder(BlockNode file, Qcow2Header h, HeaderExtensions ext) {
        this.file = file;
        this.h = h;
        this.ext = ext;
        this.g = Geometry.of(h);
    }

    /** Returns the header after the rebuild (new table, dirty bit clear). */
    Qcow2Header rebuild(long[] l1, SnapshotTable snaps, String backingName) throws BlockException {
        count(0, g.clusterSize());
        count(h.l1TableOffset(), 8L * h.l1Size());
        countTree(l1);
        count(h.snapshotsOffset(), snaps.tableBytes());
        for (SnapshotTable.Entry e : snaps.entries()) {
            if (!SnapshotTable.l1Valid(e, g.clusterSize())) {
                continue; // as check does: an unusable snapshot L1 is not counted
            }
            count(e.l1TableOffset(), 8L * e.l1Size());
            countTree(readTable(e.l1TableOffset(), e.l1Size()));
        }
        if (ext.fde() != null) {
            ByteBuffer f = ByteBuffer.wrap(ext.fde());
            count(f.getLong(0), f.getLong(8));
        }
        if (ext.bitmaps() != null && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
            BitmapClusters.visit(file, ext.bitmapsExtension(), this::count);
        }
        long start = Math.max(used, (file.length() + g.clusterMask()) >>> g.clusterBits());
        long perBlock = 1L << g.refblockBits();
        long tableClusters = 1;
        long blocks = 0;
        while (true) {
            long end = start + tableClusters + blocks;
            long needBlocks = (end + perBlock - 1) / perBlock;
            long needTable = Math.max(tableClusters, (needBlocks * 8 + g.clusterMask()) >>> g.clusterBits());
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        count(g.offsetOf(start), g.offsetOf(tableClusters + blocks));
        long[] table = new long[(int) (tableClusters * g.clusterSize() / 8)];
        for (long b = 0; b < blocks; b++) {
            ByteBuffer block = ByteBuffer.allocate(g.clusterSize());
            for (long i = 0; i < perBlock; i++) {
                long c = b * perBlock + i;
                long v = c < counts.length ? counts[(int) c] : 0;
                if (Long.compareUnsigned(v, g.refcountMax()) > 0) {
                    throw new BlockException(Errno.ERANGE, g.offsetOf(c), "refcount overflow while rebuilding");
                }
                RefcountEntries.set(block, g.refcountOrder(), (int) i, v);
            }
            long off = g.offsetOf(start + tableClusters + b);
            file.write(off, block);
            table[(int) b] = off;
        }
        ByteBuffer t = ByteBuffer.allocate(table.length * 8);
        t.asLongBuffer().put(table);
        file.write(g.offsetOf(start), t);
        file.flush();
        fixCopied(l1);
        file.flush();
        Qcow2Header nh = h.withRefcountTable(g.offsetOf(start), (int) tableClusters)
                .withIncompatible(h.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_DIRTY);
        HeaderCodec.Encoded enc = HeaderCodec.encode(nh, ext, backingName);
        file.write(0, enc.cluster());
        file.flush();
        return enc.header();
    }

    private void countTree(long[] l1) throws BlockException {
        for (long e : l1) {
            long l2 = e & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            count(l2, g.clusterSize());
            ByteBuffer t = readCluster(l2);
            for (int i = 0; i < g.l2Entries(); i++) {
                L2Entry le = new L2Entry(t.getLong(i * g.l2EntrySize()), g.extendedL2() ? t.getLong(i * 16 + 8) : 0);
                L2Entry.Type ty = le.clusterType(g);
                if (ty == L2Entry.Type.COMPRESSED) {
                    count(le.compressedOffset(g), le.compressedSize(g));
                } else if (!g.externalData() && le.hostOffset() != 0
                        && (ty == L2Entry.Type.NORMAL || ty == L2Entry.Type.ZERO_ALLOC)) {
                    count(le.hostOffset(), g.clusterSize());
                }
            }
        }
    }

    /** Sets COPIED in the active tables exactly where the rebuilt refcount is 1. */
    private void fixCopied(long[] l1) throws BlockException {
        boolean l1Changed = false;
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            long want = refcount(l2) == 1 ? l1[i] | L2Entry.COPIED : l1[i] & ~L2Entry.COPIED;
            if (want != l1[i]) {
                l1[i] = want;
                l1Changed = true;
            }
            ByteBuffer t = readCluster(l2);
            boolean changed = false;
            for (int j = 0; j < g.l2Entries(); j++) {
                int p = j * g.l2EntrySize();
                L2Entry le = new L2Entry(t.getLong(p), 0);
                L2Entry.Type ty = le.clusterType(g);
                if (ty != L2Entry.Type.NORMAL && ty != L2Entry.Type.ZERO_ALLOC) {
                    continue;
                }
                boolean copied = g.externalData() || refcount(le.hostOffset()) == 1;
                long w = copied ? le.word() | L2Entry.COPIED : le.word() & ~L2Entry.COPIED;
                if (w != le.word()) {
                    t.putLong(p, w);
                    changed = true;
                }
            }
            if (changed) {
                file.write(l2, t.clear());
            }
        }
        if (l1Changed) {
            ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
            b.asLongBuffer().put(l1);
            file.write(h.l1TableOffset(), b);
        }
    }

    private long refcount(long offset) {
        long c = g.clusterOf(offset);
        return c < counts.length ? counts[(int) c] : 0;
    }

    private void count(long offset, long length) {
        if (length <= 0 || offset <= 0 && length <= 0) {
            return;
        }
        long first = g.clusterOf(offset);
        long last = g.clusterOf(offset + length - 1);
        if (last >= counts.length) {
            counts = Arrays.copyOf(counts, (int) Math.max(last + 1, counts.length * 2L));
        }
        for (long c = first; c <= last; c++) {
            counts[(int) c]++;
        }
        used = Math.max(used, last + 1);
    }

    private long[] readTable(long offset, int entries) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(entries * 8);
        file.read(offset, b.duplicate());
        long[] t = new long[entries];
        b.asLongBuffer().get(t);
        return t;
    }

    private ByteBuffer readCluster(long offset) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(g.clusterSize());
        file.read(offset, b.duplicate());
        return b;
    }
}
