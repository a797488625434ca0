package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.Geometry;
import java.nio.ByteBuffer;

/**
 * The refcounts as stored in the image: the refcount table in memory (at most 8 MiB) and one cached
 * refcount block, so a sequential walk reads every block once.
 */
final class StoredRefcounts {
    static final long REFT_OFFSET_MASK = 0xFFFFFFFFFFFFFE00L;
    static final long REFT_RESERVED_MASK = 0x1FFL;

    private final BlockNode file;
    private final Geometry g;
    private final long[] table;
    private long cachedOffset = -1;
    private final ByteBuffer block;

    StoredRefcounts(BlockNode file, Geometry g, long[] table) {
        this.file = file;
        this.g = g;
        this.table = table;
        this.block = ByteBuffer.allocateDirect(g.clusterSize()); // direct: read without a bounce copy
    }

    static StoredRefcounts read(BlockNode file, Geometry g, long tableOffset, long tableClusters)
            throws BlockException {
        long bytes = tableClusters << g.clusterBits();
        long[] t = new long[(int) (bytes / 8)];
        if (t.length > 0) {
            ByteBuffer b = ByteBuffer.allocate(t.length * 8);
            file.read(tableOffset, b.duplicate());
            b.asLongBuffer().get(t);
        }
        return new StoredRefcounts(file, g, t);
    }

    long[] table() {
        return table;
    }

    /** Offset of the refcount block covering cluster, or 0 when there is none. */
    private long blockOffset(long cluster) {
        long ti = cluster >>> g.refblockBits();
        if (ti >= table.length) {
            return 0;
        }
        return table[(int) ti] & REFT_OFFSET_MASK;
    }

    /** Whether an aligned refcount block exists for the cluster (so its refcount can be written). */
    boolean covers(long cluster) {
        long off = blockOffset(cluster);
        return off != 0 && (off & g.clusterMask()) == 0;
    }

    private int indexInBlock(long cluster) {
        return (int) (cluster & ((1L << g.refblockBits()) - 1));
    }

    /** Stored refcount of a cluster; 0 where no block exists. */
    long get(long cluster) throws BlockException {
        long off = blockOffset(cluster);
        if (off == 0) {
            return 0;
        }
        if ((off & g.clusterMask()) != 0) {
            throw new BlockException(Errno.EIO, off, "Refblock offset " + Long.toHexString(off)
                    + " unaligned (reftable index: 0x" + Long.toHexString(cluster >>> g.refblockBits()) + ")");
        }
        load(off);
        return RefcountWidth.get(block, g.refcountOrder(), indexInBlock(cluster));
    }

    /** Writes one refcount into its existing block (callers ensure the block exists). */
    void set(long cluster, long value) throws BlockException {
        long off = blockOffset(cluster);
        if (off == 0 || (off & g.clusterMask()) != 0) {
            throw new BlockException(Errno.EIO, g.offsetOf(cluster), "no usable refcount block for cluster " + cluster);
        }
        load(off);
        RefcountWidth.set(block, g.refcountOrder(), indexInBlock(cluster), value);
        file.write(off, block.duplicate().clear());
    }

    private void load(long off) throws BlockException {
        if (off != cachedOffset) {
            cachedOffset = -1;
            file.read(off, block.duplicate().clear());
            cachedOffset = off;
        }
    }
}
