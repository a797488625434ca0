package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshots (qemu-img snapshot -c/-a/-d): copy or swap L1 tables, adjust the refcounts of
 * everything they reach, rewrite the snapshot table, then recompute COPIED in the active tables.
 * Callers must have no guest I/O in flight (qemu-img works on a quiescent image).
 */
final class Qcow2Snapshots {
    private final Qcow2State s;
    private final Geometry g;
    private final L2Tables tables;

    Qcow2Snapshots(Qcow2State s) {
        this.s = s;
        this.g = s.geometry();
        this.tables = new L2Tables(s);
    }

    void create(String name, long nowMillis) throws BlockException {
        s.lock.lock();
        try {
            refuseExternalData();
            // qemu-img snapshot -c does not refuse a name in use: the new snapshot gets its own id.
            s.flushMetadata();
            long[] l1 = s.l1().clone();
            long l1Offset = l1.length == 0 ? 0 : s.allocator().allocate(clusters(8L * l1.length));
            if (l1.length > 0) {
                ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
                b.asLongBuffer().put(l1);
                s.writeMetadata(l1Offset, b, 0);
            }
            adjustTree(l1, 1);
            s.flushMetadata();
            fixCopied();
            s.flushMetadata();
            List<SnapshotTable.Entry> entries = new ArrayList<>(s.snapshots().entries());
            ByteBuffer extra = ByteBuffer.allocate(24).putLong(0, 0).putLong(8, s.header().size()).putLong(16, 0);
            entries.add(new SnapshotTable.Entry(l1Offset, l1.length, nextId(entries), name, nowMillis / 1000,
                    (nowMillis % 1000) * 1_000_000, 0, 0, s.header().size(), 0, extra.array()));
            writeTable(SnapshotTable.of(entries));
        } finally {
            s.lock.unlock();
        }
    }

    void delete(String idOrName) throws BlockException {
        delete(idOrName, find(idOrName));
    }

    /** qemu-img snapshot -d looks the snapshot up by name only. */
    void deleteNamed(String name) throws BlockException {
        delete(name, findName(name));
    }

    private void delete(String idOrName, int found) throws BlockException {
        s.lock.lock();
        try {
            int i = found;
            if (i < 0) {
                throw new BlockException(Errno.ENOENT, "Could not delete snapshot '" + idOrName + "': snapshot not found");
            }
            s.flushMetadata();
            List<SnapshotTable.Entry> entries = new ArrayList<>(s.snapshots().entries());
            SnapshotTable.Entry gone = entries.remove(i);
            writeTable(SnapshotTable.of(entries));
            adjustTree(readL1(gone), -1);
            if (gone.l1Size() > 0) {
                s.allocator().addRefs(gone.l1TableOffset(), 8L * gone.l1Size(), -1);
            }
            s.flushMetadata();
            fixCopied();
            s.flushMetadata();
        } finally {
            s.lock.unlock();
        }
    }

    void apply(String idOrName) throws BlockException {
        s.lock.lock();
        try {
            int i = find(idOrName);
            if (i < 0) {
                throw new BlockException(Errno.ENOENT, "Could not apply snapshot '" + idOrName + "': snapshot not found");
            }
            SnapshotTable.Entry sn = s.snapshots().entries().get(i);
            if (sn.diskSize() >= 0 && sn.diskSize() != s.header().size()) {
                throw new BlockException(Errno.ENOTSUP, "qcow2: Loading snapshots with different disk size is not "
                        + "supported");
            }
            s.flushMetadata();
            long[] snapL1 = readL1(sn);
            adjustTree(snapL1, 1);
            s.flushMetadata();
            if (snapL1.length > s.l1().length) {
                tables.growL1(snapL1.length);
            }
            long[] old = s.l1().clone();
            long[] fresh = new long[old.length];
            for (int j = 0; j < snapL1.length; j++) {
                // The tables are shared with the snapshot now: never claim ownership before fixCopied.
                fresh[j] = snapL1[j] & ~L2Entry.COPIED;
            }
            ByteBuffer b = ByteBuffer.allocate(fresh.length * 8);
            b.asLongBuffer().put(fresh);
            s.writeMetadata(s.header().l1TableOffset(), b, OverlapChecker.ACTIVE_L1 | OverlapChecker.INACTIVE_L1);
            s.file.flush();
            System.arraycopy(fresh, 0, s.l1(), 0, fresh.length);
            adjustTree(old, -1);
            s.flushMetadata();
            fixCopied();
            s.flushMetadata();
        } finally {
            s.lock.unlock();
        }
    }

    private void refuseExternalData() throws BlockException {
        if (s.dataFile != null || g.externalData()) {
            throw new BlockException(Errno.ENOTSUP, "Can't create snapshots with an external data file");
        }
    }

    /** Adds delta to every L2 table and data/compressed cluster an L1 table reaches. */
    private void adjustTree(long[] l1, long delta) throws BlockException {
        for (long e : l1) {
            long l2 = e & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            for (int off = 0; off < g.clusterSize(); off += s.l2Cache().pieceSize()) {
                ByteBuffer slice = s.l2Cache().get(l2 + off).duplicate();
                int perSlice = s.l2Cache().pieceSize() / g.l2EntrySize();
                long[] words = new long[perSlice];
                for (int j = 0; j < perSlice; j++) {
                    words[j] = slice.getLong(j * g.l2EntrySize());
                }
                for (long w : words) {
                    L2Entry le = new L2Entry(w, 0);
                    L2Entry.Type t = le.clusterType(g);
                    if (t == L2Entry.Type.COMPRESSED) {
                        s.allocator().addRefs(le.compressedOffset(g), le.compressedSize(g), delta);
                    } else if ((t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC) && le.hostOffset() != 0) {
                        s.allocator().addRefs(le.hostOffset(), g.clusterSize(), delta);
                    }
                }
            }
            s.allocator().addRefs(l2, g.clusterSize(), delta);
        }
    }

    /** COPIED in the active L1 and its L2 tables becomes exactly "refcount is 1". */
    private void fixCopied() throws BlockException {
        long[] l1 = s.l1();
        RefcountStore rc = s.refcounts();
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            boolean own = rc.get(g.clusterOf(l2)) == 1;
            long want = own ? l1[i] | L2Entry.COPIED : l1[i] & ~L2Entry.COPIED;
            if (want != l1[i]) {
                s.setL1Entry(i, want);
            }
            for (int off = 0; off < g.clusterSize(); off += s.l2Cache().pieceSize()) {
                ByteBuffer slice = s.l2Cache().get(l2 + off);
                boolean changed = false;
                for (int p = 0; p < s.l2Cache().pieceSize(); p += g.l2EntrySize()) {
                    L2Entry le = new L2Entry(slice.getLong(p), 0);
                    L2Entry.Type t = le.clusterType(g);
                    if ((t != L2Entry.Type.NORMAL && t != L2Entry.Type.ZERO_ALLOC) || le.hostOffset() == 0) {
                        continue;
                    }
                    boolean one = rc.get(g.clusterOf(le.hostOffset())) == 1;
                    long w = one ? le.word() | L2Entry.COPIED : le.word() & ~L2Entry.COPIED;
                    if (w != le.word()) {
                        slice = s.l2Cache().get(l2 + off);
                        slice.putLong(p, w);
                        changed = true;
                    }
                }
                if (changed) {
                    s.l2Cache().markDirty(l2 + off);
                }
            }
        }
    }

    /** Writes the table to new clusters, switches header fields 60..71, frees the old table. */
    private void writeTable(SnapshotTable t) throws BlockException {
        long oldOffset = s.header().snapshotsOffset();
        long oldBytes = s.snapshots().tableBytes();
        long offset = 0;
        if (!t.entries().isEmpty()) {
            offset = s.allocator().allocate(clusters(t.tableBytes()));
            s.flushMetadata();
            s.writeMetadata(offset, ByteBuffer.wrap(t.encode()), 0);
        }
        s.file.flush();
        s.file.write(60, ByteBuffer.allocate(12).putInt(0, t.entries().size()).putLong(4, offset));
        s.file.flush();
        s.replaceSnapshots(t, offset);
        if (oldBytes > 0) {
            s.allocator().addRefs(oldOffset, oldBytes, -1);
        }
    }

    private long[] readL1(SnapshotTable.Entry e) throws BlockException {
        SnapshotTable.checkL1(e, s.geometry().clusterSize());
        long[] t = new long[e.l1Size()];
        if (t.length > 0) {
            ByteBuffer b = ByteBuffer.allocate(t.length * 8);
            s.file.read(e.l1TableOffset(), b.duplicate());
            b.asLongBuffer().get(t);
        }
        return t;
    }

    private int findName(String name) {
        List<SnapshotTable.Entry> entries = s.snapshots().entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private int find(String idOrName) {
        List<SnapshotTable.Entry> entries = s.snapshots().entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).id().equals(idOrName)) {
                return i;
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(idOrName)) {
                return i;
            }
        }
        return -1;
    }

    private static String nextId(List<SnapshotTable.Entry> entries) {
        long max = 0;
        for (SnapshotTable.Entry e : entries) {
            try {
                max = Math.max(max, Long.parseLong(e.id()));
            } catch (NumberFormatException ignored) {
                // non-numeric ids do not take part
            }
        }
        return Long.toString(max + 1);
    }

    private long clusters(long bytes) {
        return (bytes + g.clusterMask()) >>> g.clusterBits();
    }
}
