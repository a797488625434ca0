package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;

/**
 * The refcount table (held in memory) and refcount blocks (through a cache). Knows nothing about
 * allocation policy; {@link ClusterAllocator} decides where new blocks go.
 */
final class RefcountStore {
    static final long REFT_OFFSET_MASK = 0xFFFFFFFFFFFFFE00L;

    private final BlockNode file;
    private final Geometry g;
    private final MetadataCache blocks;
    private long tableOffset;
    private long[] table;
    /** Bumped whenever a table entry changes (lets the overlap checker cache block offsets). */
    private int version;

    RefcountStore(BlockNode file, Geometry g, MetadataCache blocks, long tableOffset, long[] table) {
        this.file = file;
        this.g = g;
        this.blocks = blocks;
        this.tableOffset = tableOffset;
        this.table = table;
    }

    static long[] readTable(BlockNode file, long offset, int clusters, int clusterSize) throws BlockException {
        int entries = (int) ((long) clusters * clusterSize / 8);
        ByteBuffer buf = ByteBuffer.allocate(entries * 8);
        file.read(offset, buf.duplicate());
        long[] t = new long[entries];
        buf.asLongBuffer().get(t);
        return t;
    }

    MetadataCache cache() {
        return blocks;
    }

    long tableOffset() {
        return tableOffset;
    }

    int tableEntries() {
        return table.length;
    }

    long tableEntry(int i) {
        return i < table.length ? table[i] & REFT_OFFSET_MASK : 0;
    }

    long[] tableCopy() {
        return table.clone();
    }

    /** Refcount of host cluster {@code cluster}; 0 where no block exists. */
    long get(long cluster) throws BlockException {
        long block = blockOffsetFor(cluster);
        if (block == 0) {
            return 0;
        }
        return RefcountEntries.get(blocks.get(block), g.refcountOrder(), indexInBlock(cluster));
    }

    /** Whether the block holding cluster's refcount exists. */
    boolean hasBlock(long cluster) {
        return blockOffsetFor(cluster) != 0;
    }

    /** Sets the refcount (the block must exist). */
    void set(long cluster, long value) throws BlockException {
        long block = blockOffsetFor(cluster);
        if (block == 0) {
            throw new BlockException(Errno.EIO, g.offsetOf(cluster), "no refcount block for cluster " + cluster);
        }
        ByteBuffer b = blocks.get(block);
        RefcountEntries.set(b, g.refcountOrder(), indexInBlock(cluster), value);
        blocks.markDirty(block);
    }

    long blockOffsetFor(long cluster) {
        long i = cluster >>> g.refblockBits();
        if (i >= table.length) {
            return 0;
        }
        return table[(int) i] & REFT_OFFSET_MASK;
    }

    int indexInBlock(long cluster) {
        return (int) (cluster & ((1L << g.refblockBits()) - 1));
    }

    /** Records a new block in the table and writes that table entry to disk. */
    int version() {
        return version;
    }

    void installBlock(int index, long blockOffset) throws BlockException {
        table[index] = blockOffset;
        version++;
        ByteBuffer e = ByteBuffer.allocate(8).putLong(0, blockOffset);
        file.write(tableOffset + 8L * index, e);
    }

    /** Switches to a new (already written) table. */
    void replaceTable(long offset, long[] newTable) {
        tableOffset = offset;
        table = newTable;
        version++;
    }
}
