package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;

/**
 * Refuses writes into live metadata (QEMU's overlap-check). A hit marks the image corrupt and
 * fails the write with EIO; the message names what was hit.
 */
final class OverlapChecker {
    static final int MAIN_HEADER = 0x001;
    static final int ACTIVE_L1 = 0x002;
    static final int ACTIVE_L2 = 0x004;
    static final int REFCOUNT_TABLE = 0x008;
    static final int REFCOUNT_BLOCK = 0x010;
    static final int SNAPSHOT_TABLE = 0x020;
    static final int INACTIVE_L1 = 0x040;
    static final int INACTIVE_L2 = 0x080;
    static final int BITMAP_DIRECTORY = 0x100;
    static final int CONSTANT = 0x12B;
    static final int CACHED = 0x17F;
    static final int ALL = 0x1FF;

    /** Parses overlap-check=none|constant|cached|all. */
    static int parseTemplate(String s) throws BlockException {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "none" -> 0;
            case "constant" -> CONSTANT;
            case "cached" -> CACHED;
            case "all" -> ALL;
            default -> throw new BlockException(Errno.EINVAL, "Unsupported value '" + s + "' for qcow2 option "
                    + "'overlap-check'. Allowed are any of the following: none, constant, cached, all");
        };
    }

    private final Qcow2State s;
    private final int mask;

    OverlapChecker(Qcow2State s, int mask) {
        this.s = s;
        this.mask = mask;
    }

    /** Throws (after marking corrupt) when [offset, offset + length) overlaps metadata not in {@code ignore}. */
    void check(long offset, long length, int ignore) throws BlockException {
        int active = mask & ~ignore;
        if (active == 0 || length <= 0) {
            return;
        }
        Geometry g = s.geometry();
        long start = offset & ~g.clusterMask();
        long end = g.alignUp(offset + length);
        String hit = find(start, end, active, g);
        if (hit != null) {
            s.markCorrupt("Preventing invalid write on metadata (overlaps with " + hit + ")");
            throw new BlockException(Errno.EIO, offset, "qcow2: Preventing invalid write on metadata (overlaps with "
                    + hit + "); image marked as corrupt");
        }
    }

    private String find(long start, long end, int active, Geometry g) {
        Qcow2Header h = s.header();
        if ((active & MAIN_HEADER) != 0 && start < g.clusterSize()) {
            return "qcow2_header";
        }
        if ((active & ACTIVE_L1) != 0 && hits(start, end, h.l1TableOffset(), 8L * h.l1Size())) {
            return "active L1 table";
        }
        if ((active & REFCOUNT_TABLE) != 0
                && hits(start, end, h.refcountTableOffset(), (long) h.refcountTableClusters() << g.clusterBits())) {
            return "refcount table";
        }
        if ((active & SNAPSHOT_TABLE) != 0 && h.nbSnapshots() != 0
                && hits(start, end, h.snapshotsOffset(), s.snapshots().tableBytes())) {
            return "snapshot table";
        }
        if ((active & ACTIVE_L2) != 0 && anyIn(activeL2(), start, end)) {
            return "active L2 table";
        }
        if ((active & REFCOUNT_BLOCK) != 0 && anyIn(refcountBlocks(), start, end)) {
            return "refcount block";
        }
        if ((active & INACTIVE_L1) != 0) {
            for (SnapshotTable.Entry e : s.snapshots().entries()) {
                if (hits(start, end, e.l1TableOffset(), 8L * Integer.toUnsignedLong(e.l1Size()))) {
                    return "inactive L1 table";
                }
            }
        }
        if ((active & INACTIVE_L2) != 0) {
            for (long off : inactiveL2Tables()) {
                if (hits(start, end, off, g.clusterSize())) {
                    return "inactive L2 table";
                }
            }
        }
        byte[] bitmaps = s.extensions().bitmaps();
        if ((active & BITMAP_DIRECTORY) != 0 && bitmaps != null
                && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bitmaps);
            if (hits(start, end, b.getLong(16), b.getLong(8))) {
                return "bitmap directory";
            }
        }
        return null;
    }

    private long[] inactiveL2;
    private long[] activeL2Sorted;
    private int activeL2Version = -1;
    private long[] blocksSorted;
    private int blocksVersion = -1;

    /** Sorted offsets of the active L2 tables, rebuilt only when L1 changed. */
    private long[] activeL2() {
        int v = s.l1Version();
        if (activeL2Sorted == null || v != activeL2Version) {
            activeL2Sorted = java.util.Arrays.stream(s.l1()).map(e -> e & L2Entry.L1_OFFSET_MASK).filter(o -> o != 0)
                    .sorted().toArray();
            activeL2Version = v;
        }
        return activeL2Sorted;
    }

    /** Sorted offsets of the refcount blocks, rebuilt only when the refcount table changed. */
    private long[] refcountBlocks() {
        RefcountStore rc = s.refcounts();
        if (blocksSorted == null || rc.version() != blocksVersion) {
            long[] t = new long[rc.tableEntries()];
            int n = 0;
            for (int i = 0; i < t.length; i++) {
                long off = rc.tableEntry(i);
                if (off != 0) {
                    t[n++] = off;
                }
            }
            blocksSorted = java.util.Arrays.copyOf(t, n);
            java.util.Arrays.sort(blocksSorted);
            blocksVersion = rc.version();
        }
        return blocksSorted;
    }

    /** Whether a cluster-sized table starting at one of the sorted offsets meets [start, end). */
    private boolean anyIn(long[] sorted, long start, long end) {
        long cs = s.geometry().clusterSize();
        int i = java.util.Arrays.binarySearch(sorted, start - cs + 1);
        int from = i >= 0 ? i : -i - 1;
        return from < sorted.length && sorted[from] < end;
    }

    /** L2 tables reachable from snapshot L1 tables (read once; snapshots do not change while open). */
    private long[] inactiveL2Tables() {
        if (inactiveL2 == null) {
            java.util.List<Long> out = new java.util.ArrayList<>();
            try {
                for (SnapshotTable.Entry e : s.snapshots().entries()) {
                    if (!SnapshotTable.l1Valid(e, s.geometry().clusterSize())) {
                        continue;
                    }
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * e.l1Size());
                    s.file.read(e.l1TableOffset(), b.duplicate());
                    for (int i = 0; i < e.l1Size(); i++) {
                        long off = b.getLong(i * 8) & L2Entry.L1_OFFSET_MASK;
                        if (off != 0) {
                            out.add(off);
                        }
                    }
                }
            } catch (BlockException e) {
                return new long[0];
            }
            inactiveL2 = out.stream().mapToLong(Long::longValue).toArray();
        }
        return inactiveL2;
    }

    private static boolean hits(long start, long end, long off, long len) {
        return len > 0 && off < end && start < off + len;
    }
}
