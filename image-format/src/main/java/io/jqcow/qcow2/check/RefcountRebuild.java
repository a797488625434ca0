package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.Geometry;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes a whole new refcount structure from the IMRT into free clusters, then switches the header to
 * it with one write of fields 48..59. The old table and blocks stay untouched until then, so a crash
 * at any point leaves a consistent (old or new) structure; afterwards they are merely leaked.
 *
 * <p>Placement (as qemu-img 7.2 places them, so repaired files match): each needed refcount block goes
 * to the first free cluster (first fit over the IMRT), then the table to the first free run long
 * enough; blocks are added and the table moved until the table and the blocks covering it are all
 * described.
 */
final class RefcountRebuild {
    private final CheckImage img;
    private final ClusterCounts counts;
    private final Geometry g;
    private long[] blocks = new long[0];
    private long firstFree;

    RefcountRebuild(CheckImage img, ClusterCounts counts) {
        this.img = img;
        this.counts = counts;
        this.g = img.g;
    }

    void run() throws BlockException {
        long tableStart = 0;
        long tableClusters = 0;
        while (true) {
            allocateBlocks();
            long entries = blocksInUse();
            long need = Math.max(1, (entries * 8 + g.clusterMask()) >>> g.clusterBits());
            if (need == tableClusters) {
                break;
            }
            for (long c = tableStart; c < tableStart + tableClusters; c++) {
                counts.set(c, 0);
            }
            tableStart = counts.firstFreeRun(firstFree, need);
            tableClusters = need;
            for (long c = tableStart; c < tableStart + tableClusters; c++) {
                counts.set(c, 1);
            }
        }
        writeBlocks();
        ByteBuffer table = ByteBuffer.allocate((int) (tableClusters << g.clusterBits()));
        for (int i = 0; i < blocks.length; i++) {
            table.putLong(i * 8, g.offsetOf(blocks[i]));
        }
        img.file.write(g.offsetOf(tableStart), table);
        img.file.flush();
        ByteBuffer fields = ByteBuffer.allocate(12);
        fields.putLong(0, g.offsetOf(tableStart));
        fields.putInt(8, (int) tableClusters);
        img.file.write(48, fields);
        img.file.flush();
        img.header = img.header.withRefcountTable(g.offsetOf(tableStart), (int) tableClusters);
    }

    /** Gives every block range holding a counted cluster a refcount block, until nothing new is needed. */
    private void allocateBlocks() {
        long perBlock = 1L << g.refblockBits();
        long b = 0;
        while (b * perBlock < counts.size()) {
            if (blockAt(b) == 0 && rangeUsed(b, perBlock)) {
                long c = counts.firstFree(firstFree);
                firstFree = c + 1;
                counts.set(c, 1);
                setBlock(b, c);
                long home = c >>> g.refblockBits();
                if (home < b && blockAt(home) == 0) {
                    b = home;
                    continue;
                }
            }
            b++;
        }
    }

    private boolean rangeUsed(long b, long perBlock) {
        long end = Math.min(counts.size(), (b + 1) * perBlock);
        for (long c = b * perBlock; c < end; c++) {
            if (counts.get(c) != 0) {
                return true;
            }
        }
        return false;
    }

    private long blockAt(long b) {
        return b < blocks.length ? blocks[(int) b] : 0;
    }

    private void setBlock(long b, long cluster) {
        if (b >= blocks.length) {
            blocks = Arrays.copyOf(blocks, (int) b + 1);
        }
        blocks[(int) b] = cluster;
    }

    private long blocksInUse() {
        int n = blocks.length;
        while (n > 0 && blocks[n - 1] == 0) {
            n--;
        }
        return n;
    }

    private void writeBlocks() throws BlockException {
        long perBlock = 1L << g.refblockBits();
        long max = g.refcountMax();
        for (int b = 0; b < blocks.length; b++) {
            if (blocks[b] == 0) {
                continue;
            }
            ByteBuffer block = ByteBuffer.allocate(g.clusterSize());
            for (long i = 0; i < perBlock; i++) {
                long v = counts.get(b * perBlock + i);
                if (max >= 0 && v > max) {
                    throw new BlockException(Errno.ERANGE, g.offsetOf(b * perBlock + i),
                            "refcount overflow while rebuilding the refcount structure");
                }
                if (v != 0) {
                    RefcountWidth.set(block, g.refcountOrder(), (int) i, v);
                }
            }
            img.file.write(g.offsetOf(blocks[b]), block);
        }
    }
}
