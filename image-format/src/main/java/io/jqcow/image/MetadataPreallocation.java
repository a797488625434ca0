package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Whether a qcow2 image looks metadata-preallocated: its refcounts claim clearly more clusters than
 * the host file really occupies. QEMU then asks the file which mapped clusters are holes, so map
 * shows them as zero; otherwise a mapped cluster is plain data.
 */
final class MetadataPreallocation {
    private static final long OFFSET_MASK = 0xFFFFFFFFFFFFFE00L;

    private MetadataPreallocation() {
    }

    static boolean detect(Qcow2Header h, BlockNode file) throws BlockException {
        long host = HostAllocation.allocatedBytes(Path.of(file.name()));
        if (host < 0) {
            return false;
        }
        long real = host / h.clusterSize();
        long threshold = Math.max(real * 10 / 9, real + 2);
        long fileClusters = (file.length() + h.clusterSize() - 1) / h.clusterSize();
        return referencedClusters(h, file, fileClusters, threshold) >= threshold;
    }

    /** Clusters below fileClusters with a non-zero refcount, counted until the count reaches limit. */
    private static long referencedClusters(Qcow2Header h, BlockNode file, long fileClusters, long limit)
            throws BlockException {
        int cs = h.clusterSize();
        ByteBuffer table = ByteBuffer.allocate(h.refcountTableClusters() * cs);
        file.read(h.refcountTableOffset(), table.duplicate());
        int bits = 1 << h.refcountOrder();
        ByteBuffer block = ByteBuffer.allocate(cs);
        long perBlock = (long) cs * 8 / bits;
        long count = 0;
        for (int i = 0; i + 8 <= table.capacity() && count < limit; i += 8) {
            long first = (i / 8) * perBlock;
            long off = table.getLong(i) & OFFSET_MASK;
            if (off == 0 || first >= fileClusters) {
                continue;
            }
            block.clear();
            file.read(off, block.duplicate());
            count += nonZeroEntries(block, bits, (int) Math.min(perBlock, fileClusters - first));
        }
        return count;
    }

    /** Non-zero entries among the first {@code entries} of a refcount block. */
    private static long nonZeroEntries(ByteBuffer block, int bits, int entries) {
        long n = 0;
        if (bits >= 8) {
            int bytes = bits / 8;
            for (int i = 0; i < entries * bytes; i += bytes) {
                for (int j = 0; j < bytes; j++) {
                    if (block.get(i + j) != 0) {
                        n++;
                        break;
                    }
                }
            }
            return n;
        }
        int mask = (1 << bits) - 1;
        int perByte = 8 / bits;
        for (int e = 0; e < entries; e++) {
            int b = block.get(e / perByte) & 0xFF;
            if (((b >>> ((e % perByte) * bits)) & mask) != 0) {
                n++;
            }
        }
        return n;
    }
}
