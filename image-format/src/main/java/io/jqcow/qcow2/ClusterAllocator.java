package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds free host clusters, raises and lowers refcounts, and grows the refcount structures
 * (self-describing blocks placed inside the range they cover; a new, larger table at the end of the
 * image). Guarded by the driver's metadata lock.
 *
 * <p>Freed clusters are quarantined until the metadata that stopped referencing them is durable
 * ({@link #releaseQuarantine}), so a crash can never show one cluster under two owners.
 */
final class ClusterAllocator {
    /** Switches the header's refcount table fields (48..59) in one write and makes it durable. */
    interface TableSwitcher {
        void switchRefcountTable(long offset, int clusters) throws BlockException;
    }

    /** Told about clusters whose refcount dropped to zero (discard pass-through). */
    interface FreeListener {
        void freed(long offset, long length) throws BlockException;
    }

    private final BlockNode file;
    private final Geometry g;
    private final RefcountStore rc;
    private final TableSwitcher switcher;
    private final Set<Long> quarantine = new HashSet<>();
    private FreeListener freeListener = (o, l) -> { };
    private long freeHint;
    private long highestEnd;
    private long freeByteOffset;

    ClusterAllocator(BlockNode file, Geometry g, RefcountStore rc, long fileLength, TableSwitcher switcher) {
        this.file = file;
        this.g = g;
        this.rc = rc;
        this.switcher = switcher;
        this.highestEnd = (fileLength + g.clusterMask()) >>> g.clusterBits();
    }

    void setFreeListener(FreeListener l) {
        this.freeListener = l;
    }

    RefcountStore refcounts() {
        return rc;
    }

    /** One past the highest cluster known to be in use or reserved. */
    long highestEnd() {
        return highestEnd;
    }

    /** Allocates n contiguous clusters with refcount 1 and returns the host offset of the first. */
    long allocate(long n) throws BlockException {
        if (n <= 0) {
            throw new IllegalArgumentException("bad allocation size " + n);
        }
        long start = findFree(n);
        for (long c = start; c < start + n; c++) {
            ensureBlock(c, start, start + n);
            rc.set(c, 1);
        }
        highestEnd = Math.max(highestEnd, start + n);
        checkHostLimit(start + n);
        return g.offsetOf(start);
    }

    /** Adds delta to the refcount of every cluster touched by [offset, offset + length). */
    void addRefs(long offset, long length, long delta) throws BlockException {
        long first = g.clusterOf(offset);
        long last = g.clusterOf(offset + length - 1);
        for (long c = first; c <= last; c++) {
            if (delta < 0 && !rc.hasBlock(c)) {
                // Nothing counts this cluster (possibly far past any sane end): never grow the
                // refcount structures just to find a zero there.
                throw new BlockException(Errno.EIO, g.offsetOf(c), "refcount underflow for cluster " + c
                        + " (no refcount block)");
            }
            ensureBlock(c, c, c + 1);
            long old = rc.get(c);
            long now = old + delta;
            if (delta > 0 && (Long.compareUnsigned(now, g.refcountMax()) > 0 || Long.compareUnsigned(now, old) < 0)) {
                throw new BlockException(Errno.ERANGE, g.offsetOf(c),
                        "refcount overflow for cluster " + c + " (use a larger refcount_bits)");
            }
            if (delta < 0 && Long.compareUnsigned(old, -delta) < 0) {
                throw new BlockException(Errno.EIO, g.offsetOf(c), "refcount underflow for cluster " + c);
            }
            rc.set(c, now);
            if (now == 0) {
                quarantine.add(c);
                if (g.offsetOf(c) <= freeByteOffset && freeByteOffset < g.offsetOf(c + 1)) {
                    freeByteOffset = 0;
                }
                freeListener.freed(g.offsetOf(c), g.clusterSize());
            }
            highestEnd = Math.max(highestEnd, c + 1);
        }
    }

    /** Byte-granular allocation for compressed data; returns the byte offset (+1 ref on each touched cluster). */
    long allocateBytes(int size) throws BlockException {
        long cs = g.clusterSize();
        if (freeByteOffset != 0 && (freeByteOffset & g.clusterMask()) != 0) {
            long avail = cs - (freeByteOffset & g.clusterMask());
            long off = freeByteOffset;
            if (size <= avail) {
                addRefs(off, 1, 1);
                freeByteOffset = off + size;
                return finishBytes(off, size);
            }
            long more = (size - avail + cs - 1) / cs;
            long fresh = allocate(more);
            if (fresh == g.alignUp(off)) {
                addRefs(off, 1, 1);
                freeByteOffset = off + size;
                return finishBytes(off, size);
            }
            for (long c = g.clusterOf(fresh); c < g.clusterOf(fresh) + more; c++) {
                rc.set(c, 0); // never referenced: safe to hand straight back
            }
            freeHint = Math.min(freeHint, g.clusterOf(fresh));
        }
        long off = allocate((size + cs - 1) / cs);
        freeByteOffset = off + size;
        return finishBytes(off, size);
    }

    private long finishBytes(long off, int size) {
        if ((freeByteOffset & g.clusterMask()) == 0) {
            freeByteOffset = 0;
        }
        return off;
    }

    /** Freed clusters become reusable (call once the metadata that freed them is durable). */
    void releaseQuarantine() {
        for (long c : quarantine) {
            freeHint = Math.min(freeHint, c);
        }
        quarantine.clear();
    }

    private long findFree(long n) throws BlockException {
        long c = freeHint;
        long runStart = -1;
        long firstFree = -1;
        while (true) {
            if (!quarantine.contains(c) && rc.get(c) == 0) {
                if (firstFree < 0) {
                    firstFree = c;
                }
                if (runStart < 0) {
                    runStart = c;
                }
                if (c - runStart + 1 == n) {
                    freeHint = firstFree == runStart ? runStart + n : firstFree;
                    return runStart;
                }
            } else {
                runStart = -1;
            }
            c++;
        }
    }

    /** Makes sure the refcount block for cluster exists; a new block avoids [exclStart, exclEnd). */
    private void ensureBlock(long cluster, long exclStart, long exclEnd) throws BlockException {
        long index = cluster >>> g.refblockBits();
        if (index >= rc.tableEntries()) {
            // A malformed offset must fail here, not make growTable chase an absurd size.
            checkHostLimit(cluster + 1);
            growTable(index, exclEnd);
        }
        if (rc.hasBlock(cluster)) {
            return;
        }
        long rangeStart = index << g.refblockBits();
        long b = rangeStart;
        while ((b >= exclStart && b < exclEnd) || quarantine.contains(b)) {
            b++;
        }
        if (b >= rangeStart + (1L << g.refblockBits())) {
            placeOutsideRange(index, exclStart, exclEnd);
            return;
        }
        ByteBuffer block = ByteBuffer.allocate(g.clusterSize());
        RefcountEntries.set(block, g.refcountOrder(), (int) (b - rangeStart), 1);
        // The block must be durable before the table points at it.
        file.write(g.offsetOf(b), block.duplicate());
        file.flush();
        rc.installBlock((int) index, g.offsetOf(b));
        highestEnd = Math.max(highestEnd, b + 1);
        checkHostLimit(b + 1);
    }

    /**
     * A large allocation covers the whole range of block {@code index}: the block goes to the first
     * free cluster after the allocation, counted by that cluster's own block (made durable first).
     */
    private void placeOutsideRange(long index, long exclStart, long exclEnd) throws BlockException {
        long b = exclEnd;
        while (quarantine.contains(b) || rc.get(b) != 0) {
            b++;
        }
        ensureBlock(b, exclStart, b + 1);
        rc.set(b, 1);
        rc.cache().writeDirty();
        file.write(g.offsetOf(b), ByteBuffer.allocate(g.clusterSize()));
        file.flush();
        rc.installBlock((int) index, g.offsetOf(b));
        highestEnd = Math.max(highestEnd, b + 1);
        checkHostLimit(b + 1);
    }

    /** Writes a larger refcount table (plus blocks describing it) at the end and switches to it. */
    private void growTable(long neededIndex, long exclEnd) throws BlockException {
        int oldEntries = rc.tableEntries();
        long top = Math.max(highestEnd, exclEnd);
        long perCluster = g.clusterSize() / 8;
        long entries = Math.max(neededIndex + 1, oldEntries + oldEntries / 2 + 1);
        if (neededIndex + 1 > HeaderValidator.MAX_REFTABLE_BYTES / 8) {
            // Checked before the sizing loop, which would otherwise walk an absurd range.
            throw new BlockException(Errno.EFBIG, -1, "refcount table would exceed 8 MiB");
        }
        long tableClusters;
        List<Long> newIndexes;
        while (true) {
            tableClusters = (entries + perCluster - 1) / perCluster;
            newIndexes = new ArrayList<>();
            long blocks = 0;
            while (true) {
                long end = top + tableClusters + blocks;
                newIndexes.clear();
                for (long r = top >>> g.refblockBits(); r <= (end - 1) >>> g.refblockBits(); r++) {
                    if (rc.tableEntry((int) Math.min(r, Integer.MAX_VALUE)) == 0) {
                        newIndexes.add(r);
                    }
                }
                if (newIndexes.size() == blocks) {
                    break;
                }
                blocks = newIndexes.size();
            }
            long last = (top + tableClusters + blocks - 1) >>> g.refblockBits();
            if (last < entries) {
                break;
            }
            entries = last + 1;
        }
        if (tableClusters * g.clusterSize() > HeaderValidator.MAX_REFTABLE_BYTES) {
            throw new BlockException(Errno.EFBIG, -1, "refcount table would exceed 8 MiB");
        }
        long[] table = new long[(int) (tableClusters * perCluster)];
        long[] old = rc.tableCopy();
        System.arraycopy(old, 0, table, 0, old.length);
        long structEnd = top + tableClusters + newIndexes.size();
        // Clusters of the new structures that fall under existing blocks are counted there.
        for (long c = top; c < structEnd; c++) {
            if (rc.hasBlock(c)) {
                rc.set(c, 1);
            }
        }
        rc.cache().writeDirty();
        long blockCluster = top + tableClusters;
        for (long r : newIndexes) {
            ByteBuffer block = ByteBuffer.allocate(g.clusterSize());
            long rangeStart = r << g.refblockBits();
            for (long c = Math.max(top, rangeStart); c < Math.min(structEnd, rangeStart + (1L << g.refblockBits())); c++) {
                RefcountEntries.set(block, g.refcountOrder(), (int) (c - rangeStart), 1);
            }
            file.write(g.offsetOf(blockCluster), block);
            table[(int) r] = g.offsetOf(blockCluster);
            blockCluster++;
        }
        ByteBuffer tbuf = ByteBuffer.allocate(table.length * 8);
        tbuf.asLongBuffer().put(table);
        file.write(g.offsetOf(top), tbuf);
        file.flush();
        long oldOffset = rc.tableOffset();
        long oldBytes = (long) oldEntries * 8;
        switcher.switchRefcountTable(g.offsetOf(top), (int) tableClusters);
        rc.replaceTable(g.offsetOf(top), table);
        highestEnd = Math.max(highestEnd, structEnd);
        checkHostLimit(structEnd);
        addRefs(oldOffset, oldBytes, -1);
    }

    /**
     * For falloc/full preallocation (qemu-img's layout): new refcount blocks then a new table at the
     * end of the image, sized to also cover {@code cover} clusters after them; the first
     * {@code reserve} of those are reserved (refcount 1) as the data area. Returns its first cluster.
     */
    long reserveAreaAtEnd(long reserve, long cover) throws BlockException {
        long start = highestEnd;
        long perBlock = 1L << g.refblockBits();
        long perTableCluster = g.clusterSize() / 8;
        long tableClusters = 1;
        List<Long> newIndexes = new ArrayList<>();
        while (true) {
            long end = start + newIndexes.size() + tableClusters + cover;
            long blocks = (end + perBlock - 1) / perBlock;
            List<Long> missing = new ArrayList<>();
            for (long r = 0; r < blocks; r++) {
                if (rc.tableEntry((int) Math.min(r, Integer.MAX_VALUE)) == 0) {
                    missing.add(r);
                }
            }
            long t = Math.max(1, (blocks + perTableCluster - 1) / perTableCluster);
            if (missing.equals(newIndexes) && t == tableClusters) {
                break;
            }
            newIndexes = missing;
            tableClusters = t;
        }
        long tableStart = start + newIndexes.size();
        long dataStart = tableStart + tableClusters;
        long dataEnd = dataStart + reserve;
        long[] table = new long[(int) Math.max(tableClusters * perTableCluster, rc.tableEntries())];
        long[] old = rc.tableCopy();
        System.arraycopy(old, 0, table, 0, old.length);
        for (int i = 0; i < newIndexes.size(); i++) {
            long r = newIndexes.get(i);
            ByteBuffer block = ByteBuffer.allocate(g.clusterSize());
            long rangeStart = r << g.refblockBits();
            for (long c = Math.max(start, rangeStart); c < Math.min(dataEnd, rangeStart + perBlock); c++) {
                RefcountEntries.set(block, g.refcountOrder(), (int) (c - rangeStart), 1);
            }
            file.write(g.offsetOf(start + i), block);
            table[(int) r] = g.offsetOf(start + i);
        }
        for (long c = start; c < dataEnd; c++) {
            if (rc.hasBlock(c)) {
                rc.set(c, 1);
            }
        }
        rc.cache().writeDirty();
        ByteBuffer tbuf = ByteBuffer.allocate((int) (tableClusters * g.clusterSize()));
        tbuf.asLongBuffer().put(table, 0, (int) Math.min(table.length, tableClusters * perTableCluster));
        file.write(g.offsetOf(tableStart), tbuf);
        file.flush();
        long oldOffset = rc.tableOffset();
        long oldBytes = (long) rc.tableEntries() * 8;
        switcher.switchRefcountTable(g.offsetOf(tableStart), (int) tableClusters);
        rc.replaceTable(g.offsetOf(tableStart), table);
        highestEnd = Math.max(highestEnd, dataEnd);
        checkHostLimit(dataEnd);
        addRefs(oldOffset, oldBytes, -1);
        // The header no longer points at the old table (durable): its clusters are free right away.
        for (long c = g.clusterOf(oldOffset); c <= g.clusterOf(oldOffset + oldBytes - 1); c++) {
            quarantine.remove(c);
            freeHint = Math.min(freeHint, c);
        }
        return dataStart;
    }

    private void checkHostLimit(long endCluster) throws BlockException {
        if (g.offsetOf(endCluster) > (1L << 56)) {
            throw new BlockException(Errno.EFBIG, -1, "host offset beyond 2^56");
        }
    }
}
