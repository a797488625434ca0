package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import java.nio.ByteBuffer;

/** Guest to host translation through L1 and (cached) L2 slices. Call with the metadata lock held. */
final class ClusterMapper {

    /**
     * A run of guest bytes with one type.
     *
     * @param host  host byte offset of {@code guest} for NORMAL/ZERO_ALLOC/UNALLOCATED_ALLOC, else -1
     * @param entry the L2 entry of the run's first cluster
     */
    record Extent(long guest, long bytes, L2Entry.Type type, long host, L2Entry entry) {
    }

    private final Qcow2State s;
    private final Geometry g;

    ClusterMapper(Qcow2State s) {
        this.s = s;
        this.g = s.geometry();
    }

    /** Offset of the L2 table covering guest, 0 when none. Validates the L1 entry. */
    long l2TableFor(long guest) throws BlockException {
        long l1i = g.l1Index(guest);
        long[] l1 = s.l1();
        if (l1i >= l1.length) {
            return 0;
        }
        long off = l1[(int) l1i] & L2Entry.L1_OFFSET_MASK;
        if ((off & g.clusterMask()) != 0) {
            throw s.corruption(guest, "L2 table offset 0x" + Long.toHexString(off) + " unaligned (L1 index "
                    + l1i + ")");
        }
        return off;
    }

    /** The L2 entry for the guest cluster containing guest. */
    L2Entry entry(long guest) throws BlockException {
        long l2 = l2TableFor(guest);
        if (l2 == 0) {
            return L2Entry.UNALLOCATED;
        }
        MetadataCache cache = s.l2Cache();
        long byteOff = (long) g.l2Index(guest) * g.l2EntrySize();
        long slice = byteOff / cache.pieceSize() * cache.pieceSize();
        ByteBuffer b = cache.get(l2 + slice);
        int p = (int) (byteOff - slice);
        return new L2Entry(b.getLong(p), g.extendedL2() ? b.getLong(p + 8) : 0);
    }

    /** Stores an L2 entry into an existing, writable L2 table (through the cache). */
    void setEntry(long guest, L2Entry e) throws BlockException {
        long l2 = l2TableFor(guest);
        MetadataCache cache = s.l2Cache();
        long byteOff = (long) g.l2Index(guest) * g.l2EntrySize();
        long slice = byteOff / cache.pieceSize() * cache.pieceSize();
        ByteBuffer b = cache.get(l2 + slice);
        int p = (int) (byteOff - slice);
        b.putLong(p, e.word());
        if (g.extendedL2()) {
            b.putLong(p + 8, e.bitmap());
        }
        cache.markDirty(l2 + slice);
    }

    /** Maps the longest prefix of [guest, guest + bytes) with one type (and contiguous host space). */
    Extent map(long guest, long bytes) throws BlockException {
        long unit = g.subclusterSize();
        L2Entry first = entry(guest);
        L2Entry.Type type = typeAt(first, guest, guest);
        long host = hostOf(first, type, guest);
        long end = Math.min(guest + bytes, (guest | (unit - 1)) + 1);
        if (type == L2Entry.Type.COMPRESSED) {
            end = Math.min(guest + bytes, (guest | g.clusterMask()) + 1);
            return new Extent(guest, end - guest, type, -1, first);
        }
        L2Entry current = first;
        long currentCluster = guest >>> g.clusterBits();
        while (end < guest + bytes) {
            long cl = end >>> g.clusterBits();
            if (cl != currentCluster) {
                current = entry(end);
                currentCluster = cl;
            }
            L2Entry.Type t = typeAt(current, end, guest);
            if (t != type) {
                break;
            }
            if (host >= 0 && hostOf(current, t, end) != host + (end - guest)) {
                break;
            }
            end = Math.min(guest + bytes, end + unit);
        }
        return new Extent(guest, end - guest, type, host, first);
    }

    /**
     * Refuses to write through a malformed entry (as QEMU does: EIO and the corrupt bit), so a write
     * never lands at a misaligned host offset or silently rewrites an invalid bitmap.
     */
    void checkForWrite(L2Entry e, long guest) throws BlockException {
        checkPreV3Zero(e, guest);
        if (e.isCompressed()) {
            if (g.extendedL2() && e.bitmap() != 0) {
                throw s.corruption(guest, "Invalid extended L2 entry for guest offset 0x" + Long.toHexString(guest));
            }
            return;
        }
        L2Entry.Type t = e.clusterType(g);
        if (g.extendedL2()) {
            long alloc = e.bitmap() & 0xFFFFFFFFL;
            boolean bad = t == L2Entry.Type.NORMAL ? (alloc & (e.bitmap() >>> 32)) != 0 : alloc != 0;
            if (bad) {
                throw s.corruption(guest, "Invalid extended L2 entry for guest offset 0x" + Long.toHexString(guest));
            }
        }
        if ((t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC) && (e.hostOffset() & g.clusterMask()) != 0) {
            throw s.corruption(guest, "Cluster allocation offset 0x" + Long.toHexString(e.hostOffset())
                    + " unaligned (guest offset 0x" + Long.toHexString(guest) + ")");
        }
    }

    /** Bit 0 is reserved before v3: QEMU treats a set zero flag there as corruption. */
    private void checkPreV3Zero(L2Entry e, long guest) throws BlockException {
        if (s.header().version() < 3 && !e.isCompressed() && (e.word() & L2Entry.ZERO) != 0) {
            throw s.corruption(guest, "Zero cluster entry found in pre-v3 image (guest offset 0x"
                    + Long.toHexString(guest) + ")");
        }
    }

    private L2Entry.Type typeAt(L2Entry e, long guest, long reportAt) throws BlockException {
        checkPreV3Zero(e, reportAt);
        int sc = (int) ((guest & g.clusterMask()) / g.subclusterSize());
        L2Entry.Type t = e.subclusterType(g, sc);
        if (t == L2Entry.Type.INVALID) {
            throw s.corruption(reportAt, "Invalid extended L2 entry for guest offset 0x" + Long.toHexString(guest));
        }
        if ((t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC || t == L2Entry.Type.UNALLOCATED_ALLOC)
                && (e.hostOffset() & g.clusterMask()) != 0) {
            throw s.corruption(reportAt, "Cluster allocation offset 0x" + Long.toHexString(e.hostOffset())
                    + " unaligned (guest offset 0x" + Long.toHexString(guest) + ")");
        }
        return t;
    }

    private long hostOf(L2Entry e, L2Entry.Type t, long guest) {
        if (t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC || t == L2Entry.Type.UNALLOCATED_ALLOC) {
            return e.hostOffset() + (guest & g.clusterMask());
        }
        return -1;
    }
}
