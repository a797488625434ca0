package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;

/**
 * With extended L2 entries a cluster can have a host offset while some of its subclusters are
 * still unallocated; qemu-img map shows that reserved offset for them. This reads the L2 entry
 * from the image file (map opens images read-only, so the file is current).
 */
final class ReservedCluster {
    private static final long OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
    private static final long COMPRESSED = 1L << 62;
    private static final int EXTENDED_ENTRY = 16;

    private ReservedCluster() {
    }

    /** The host offset of guest's byte inside its reserved cluster, or -1 when there is none. */
    static long hostOffset(Qcow2Driver q, long guest) throws BlockException {
        Qcow2Header h = q.header();
        if (!h.hasIncompatible(Qcow2Header.INCOMPAT_EXTL2)) {
            return -1;
        }
        int clusterBits = h.clusterBits();
        int l2Bits = clusterBits - 4;
        long l1Index = guest >>> (clusterBits + l2Bits);
        if (l1Index >= h.l1Size()) {
            return -1;
        }
        long l2Table = readLong(q, h.l1TableOffset() + l1Index * 8) & OFFSET_MASK;
        if (l2Table == 0) {
            return -1;
        }
        long l2Index = (guest >>> clusterBits) & ((1L << l2Bits) - 1);
        long entry = readLong(q, l2Table + l2Index * EXTENDED_ENTRY);
        long host = entry & OFFSET_MASK;
        if (host == 0 || (entry & COMPRESSED) != 0) {
            return -1;
        }
        return host + (guest & ((1L << clusterBits) - 1));
    }

    private static long readLong(Qcow2Driver q, long at) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(8);
        q.fileNode().read(at, b.duplicate());
        return b.getLong(0);
    }
}
