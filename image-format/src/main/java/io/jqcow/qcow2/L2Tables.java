package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;

/** Makes L2 tables writable (allocates or copies them) and grows the L1 table. Metadata lock held. */
final class L2Tables {
    private final Qcow2State s;
    private final Geometry g;

    L2Tables(Qcow2State s) {
        this.s = s;
        this.g = s.geometry();
    }

    /** Ensures the L2 table covering guest exists and is exclusively ours (L1 COPIED). */
    void ensureWritable(long guest) throws BlockException {
        long l1i = g.l1Index(guest);
        if (l1i >= s.l1().length) {
            growL1(l1i + 1);
        }
        long l1e = s.l1()[(int) l1i];
        long old = l1e & L2Entry.L1_OFFSET_MASK;
        if (old != 0 && (l1e & L2Entry.COPIED) != 0) {
            return;
        }
        if ((old & g.clusterMask()) != 0) {
            throw s.corruption(guest, "L2 table offset 0x" + Long.toHexString(old) + " unaligned");
        }
        ClusterAllocator alloc = s.allocator();
        long fresh = alloc.allocate(1);
        ByteBuffer table = ByteBuffer.allocate(g.clusterSize());
        if (old != 0) {
            MetadataCache cache = s.l2Cache();
            for (int off = 0; off < g.clusterSize(); off += cache.pieceSize()) {
                ByteBuffer slice = cache.get(old + off).duplicate().clear();
                table.put(off, slice, 0, cache.pieceSize());
            }
        }
        s.l2Cache().forget(fresh, g.clusterSize());
        // The table's refcount must be durable before the table is, and the table before L1 points at it.
        s.refcounts().cache().writeDirty();
        s.file.flush();
        s.writeMetadata(fresh, table, 0);
        s.file.flush();
        s.setL1Entry((int) l1i, fresh | L2Entry.COPIED);
        if (old != 0) {
            s.file.flush();
            alloc.addRefs(old, g.clusterSize(), -1);
        }
    }

    /** Replaces the L1 table by one with at least {@code entries} entries (header switched in one write). */
    void growL1(long entries) throws BlockException {
        if (entries * 8 > HeaderValidator.MAX_L1_BYTES) {
            throw new BlockException(Errno.EFBIG, -1, "Active L1 table too large");
        }
        long[] old = s.l1();
        if (entries <= old.length) {
            return;
        }
        long newEntries = entries;
        long bytes = newEntries * 8;
        long clusters = (bytes + g.clusterMask()) >>> g.clusterBits();
        long[] table = new long[(int) newEntries];
        System.arraycopy(old, 0, table, 0, old.length);
        ClusterAllocator alloc = s.allocator();
        long off = alloc.allocate(clusters);
        // Only the entries are written (as QEMU does); the rest of the last cluster stays a hole.
        ByteBuffer buf = ByteBuffer.allocate((int) (newEntries * 8));
        buf.asLongBuffer().put(table);
        s.refcounts().cache().writeDirty();
        s.file.flush();
        s.writeMetadata(off, buf, 0);
        s.file.flush();
        long oldOff = s.header().l1TableOffset();
        long oldBytes = 8L * old.length;
        ByteBuffer hdr = ByteBuffer.allocate(12).putInt(0, (int) newEntries).putLong(4, off);
        s.file.write(36, hdr);
        s.file.flush();
        s.replaceL1(table, off);
        if (oldBytes > 0) {
            alloc.addRefs(oldOff, oldBytes, -1);
        }
    }
}
