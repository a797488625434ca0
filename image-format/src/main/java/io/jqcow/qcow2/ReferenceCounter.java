package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks all metadata and counts, per host cluster, how many references point at it (QEMU's
 * in-memory refcount table), noting corruptions and block statistics along the way.
 */
final class ReferenceCounter {
    final BlockNode file;
    final Qcow2Header h;
    final Geometry g;
    final long fileLength;
    final List<String> messages = new ArrayList<>();
    long[] counts;
    long corruptions;
    long checkErrors;
    long allocated;
    long fragmented;
    long compressed;

    ReferenceCounter(BlockNode file, Qcow2Header h, long fileLength) {
        this.file = file;
        this.h = h;
        this.g = Geometry.of(h);
        this.fileLength = fileLength;
        this.counts = new long[(int) Math.max(1, (fileLength + g.clusterMask()) >>> g.clusterBits())];
    }

    long count(long cluster) {
        return cluster < counts.length ? counts[(int) cluster] : 0;
    }

    /** Adds one reference to every cluster of [offset, offset + size). */
    void add(long offset, long size) {
        if (size <= 0) {
            return;
        }
        if (offset + size - fileLength >= g.clusterSize()) {
            corruption(String.format("ERROR: counting reference for region exceeding the end of the file by one "
                    + "cluster or more: offset 0x%x size 0x%x", offset, size));
            return;
        }
        long first = g.clusterOf(offset);
        long last = g.clusterOf(offset + size - 1);
        if (last >= counts.length) {
            counts = Arrays.copyOf(counts, (int) (last + 1));
        }
        for (long c = first; c <= last; c++) {
            if (counts[(int) c] == g.refcountMax()) {
                corruption("ERROR: overflow cluster offset=0x" + Long.toHexString(g.offsetOf(c)));
                continue;
            }
            counts[(int) c]++;
        }
    }

    void corruption(String message) {
        messages.add(message);
        corruptions++;
    }

    /** Counts an L1 table's L2 tables and their clusters; statistics only for the active table. */
    void addTree(long[] l1, boolean stats) throws BlockException {
        for (int i = 0; i < l1.length; i++) {
            long e = l1[i];
            if (e == 0) {
                continue;
            }
            if ((e & L2Entry.L1_RESERVED_MASK) != 0) {
                corruption("ERROR: found L1 entry with reserved bits set: 0x" + Long.toHexString(e));
            }
            long l2 = e & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            add(l2, g.clusterSize());
            if ((l2 & g.clusterMask()) != 0) {
                corruption(String.format("ERROR l2_offset=%x: Table is not cluster aligned; L1 entry corrupted", l2));
                continue;
            }
            ByteBuffer t = ByteBuffer.allocate(g.clusterSize());
            try {
                file.read(l2, t.duplicate());
            } catch (BlockException ex) {
                messages.add("ERROR: I/O error in check_refcounts_l2");
                checkErrors++;
                continue;
            }
            addL2(t, stats);
        }
    }

    private void addL2(ByteBuffer t, boolean stats) {
        long nextContiguous = 0;
        for (int i = 0; i < g.l2Entries(); i++) {
            L2Entry e = new L2Entry(t.getLong(i * g.l2EntrySize()), g.extendedL2() ? t.getLong(i * 16 + 8) : 0);
            L2Entry.Type type = e.clusterType(g);
            if (type == L2Entry.Type.COMPRESSED) {
                if (e.isCopied()) {
                    corruption(String.format("ERROR: coffset=0x%x: copied flag must never be set for compressed "
                            + "clusters", e.compressedOffset(g)));
                }
                if (g.externalData()) {
                    corruption("ERROR: compressed cluster with an external data file");
                }
                if (e.bitmap() != 0) {
                    corruption("ERROR compressed cluster with non-zero subcluster allocation bitmap");
                }
                add(e.compressedOffset(g), e.compressedSize(g));
                if (stats) {
                    allocated++;
                    compressed++;
                    fragmented++;
                }
                continue;
            }
            if ((e.word() & L2Entry.STD_RESERVED_MASK & ~(g.extendedL2() ? 0 : L2Entry.ZERO)) != 0) {
                corruption("ERROR: found L2 entry with reserved bits set: 0x" + Long.toHexString(e.word()));
            }
            if (type == L2Entry.Type.NORMAL || type == L2Entry.Type.ZERO_ALLOC) {
                if (g.extendedL2() && ((e.bitmap() >>> 32) & e.bitmap()) != 0) {
                    corruption("ERROR invalid subcluster allocation bitmap");
                }
                long off = e.hostOffset();
                if ((off & g.clusterMask()) != 0) {
                    corruption(String.format("ERROR offset=%x: Cluster is not properly aligned; L2 entry corrupted", off));
                    continue;
                }
                if (!g.externalData()) {
                    add(off, g.clusterSize());
                }
                if (stats) {
                    allocated++;
                    if (nextContiguous != 0 && off != nextContiguous) {
                        fragmented++;
                    }
                    nextContiguous = off + g.clusterSize();
                }
            } else if (type == L2Entry.Type.UNALLOCATED_PLAIN && g.extendedL2() && (e.bitmap() & 0xFFFFFFFFL) != 0) {
                corruption("ERROR: unallocated cluster with allocated subclusters");
            }
        }
    }
}
