package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;

/**
 * The metadata overlap check in front of a repair's table writes, as qemu-img runs it with its
 * default "cached" set: a COPIED repair that would rewrite an "L2 table" which is really the
 * snapshot table (an L1 entry pointing at it) must not happen. A hit marks the image corrupt (v3),
 * says so in qemu's words, and fails the check with EIO.
 *
 * <p>Checked, in qemu's order: the header cluster, the active L1 table, the refcount table, the
 * snapshot table, the inactive L1 tables, the refcount blocks and the bitmap directory. Active L2
 * tables are what the COPIED pass writes, so they are never a hit for it; inactive L2 tables are
 * outside the cached set.
 */
final class RepairOverlapCheck {
    private final CheckImage img;
    private final CheckSnapshots snaps;
    private final long[] reftable;

    RepairOverlapCheck(CheckImage img, CheckSnapshots snaps, StoredRefcounts stored) {
        this.img = img;
        this.snaps = snaps;
        this.reftable = stored.table();
    }

    /**
     * Before rewriting the L2 table at {@code offset}: throws after marking the image corrupt when
     * that cluster holds other metadata.
     */
    void beforeL2Write(long offset, CheckCounters res) throws BlockException {
        String hit = find(offset, offset + img.clusterSize());
        if (hit == null) {
            return;
        }
        img.log.line("qcow2: Marking image as corrupt: Preventing invalid write on metadata (overlaps with "
                + hit + "); further corruption events will be suppressed");
        markCorrupt();
        img.log.line("ERROR: Could not write L2 table; metadata overlap check failed: "
                + Errno.EIO.description());
        res.checkErrors++;
        throw new CheckFailedException(Errno.EIO, Errno.EIO.description());
    }

    private String find(long start, long end) {
        Qcow2Header h = img.header;
        long cs = img.clusterSize();
        if (start < cs) {
            return "qcow2_header";
        }
        if (hits(start, end, h.l1TableOffset(), 8L * Integer.toUnsignedLong(h.l1Size()))) {
            return "active L1 table";
        }
        if (hits(start, end, h.refcountTableOffset(), Integer.toUnsignedLong(h.refcountTableClusters()) * cs)) {
            return "refcount table";
        }
        if (!snaps.snaps().isEmpty() && hits(start, end, h.snapshotsOffset(), snaps.tableBytes())) {
            return "snapshot table";
        }
        for (CheckSnapshots.Snap s : snaps.snaps()) {
            if (hits(start, end, s.l1Offset(), 8L * s.l1Size())) {
                return "inactive L1 table";
            }
        }
        for (long e : reftable) {
            long block = e & StoredRefcounts.REFT_OFFSET_MASK;
            if (block != 0 && hits(start, end, block, cs)) {
                return "refcount block";
            }
        }
        if (img.bitmaps != null && img.ext.bitmaps() != null) {
            ByteBuffer b = ByteBuffer.wrap(img.ext.bitmaps());
            if (hits(start, end, b.getLong(16), b.getLong(8))) {
                return "bitmap directory";
            }
        }
        return null;
    }

    /** [start, end) against a region, both rounded out to whole clusters as qemu compares them. */
    private boolean hits(long start, long end, long off, long len) {
        if (len <= 0) {
            return false;
        }
        long mask = img.g.clusterMask();
        long from = off & ~mask;
        long to = (off + len + mask) & ~mask;
        return start < to && from < end;
    }

    private void markCorrupt() throws BlockException {
        Qcow2Header h = img.header;
        if (h.version() < 3) {
            return; // a v2 header has no feature bits to record it in
        }
        long bits = h.incompatibleFeatures() | Qcow2Header.INCOMPAT_CORRUPT;
        img.file.write(72, ByteBuffer.allocate(8).putLong(0, bits));
        img.file.flush();
        img.header = h.withIncompatible(bits);
    }
}
