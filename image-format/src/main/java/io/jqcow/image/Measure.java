package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.PreallocMode;
import io.jqcow.qcow2.Qcow2CreateOptions;
import java.util.List;

/**
 * qemu-img measure for raw and qcow2 targets. The qcow2 numbers count what qemu-img create and
 * convert lay out: a header cluster, the L1 and L2 tables for the whole virtual size, the
 * refcount table and blocks that cover every cluster (themselves included), and the data.
 */
public final class Measure {
    private Measure() {
    }

    /** Raw needs the virtual size (rounded to sectors), whatever the content. */
    public static MeasureResult raw(long virtualSize) {
        long size = alignUp(virtualSize, 512);
        return new MeasureResult(size, size, -1);
    }

    /**
     * @param dataBytes bytes of target clusters holding data (0 for an empty image)
     * @param bitmaps   bitmap bytes, or -1 to leave them out
     */
    public static MeasureResult qcow2(Qcow2CreateOptions o, long virtualSize, long dataBytes, long bitmaps) {
        long cs = o.clusterSize();
        long size = alignUp(alignUp(virtualSize, 512), cs);
        long full = fullyAllocated(size, cs, o.extendedL2() ? 16 : 8, o.refcountBits());
        boolean allData = o.prealloc() == PreallocMode.FALLOC || o.prealloc() == PreallocMode.FULL;
        long required = allData ? full : full - size + dataBytes;
        return new MeasureResult(required, full, bitmaps);
    }

    /** Bytes of clusters (of size cs) that hold data (neither zero nor unallocated) among extents. */
    public static long dataBytes(List<MapExtent> extents, long cs) {
        long counted = 0;
        long lastCluster = -1;
        for (MapExtent e : extents) {
            if (!e.data() || e.zero() || e.length() == 0) {
                continue;
            }
            long first = Math.max(e.start() / cs, lastCluster + 1);
            long last = (e.end() - 1) / cs;
            if (last >= first) {
                counted += last - first + 1;
                lastCluster = last;
            }
        }
        return counted * cs;
    }

    /** The whole image: header, L1, L2, refcount structures and every data cluster. */
    static long fullyAllocated(long alignedSize, long cs, int l2EntrySize, int refcountBits) {
        long dataClusters = alignedSize / cs;
        long l2Clusters = divUp(dataClusters * l2EntrySize, cs);
        long l1Entries = divUp(dataClusters, cs / l2EntrySize);
        long l1Clusters = divUp(l1Entries * 8, cs);
        long clusters = 1 + l1Clusters + l2Clusters + dataClusters;
        return (clusters + refcountClusters(clusters, cs, refcountBits)) * cs;
    }

    /** Refcount blocks plus table clusters needed to count {@code clusters} and themselves. */
    static long refcountClusters(long clusters, long cs, int refcountBits) {
        long perBlock = cs * 8 / refcountBits;
        long perTable = cs / 8;
        long blocks = 0;
        long table = 0;
        long total;
        long previous = -1;
        do {
            total = blocks + table;
            if (total == previous) {
                break;
            }
            previous = total;
            blocks = divUp(clusters + table + blocks, perBlock);
            table = divUp(blocks, perTable);
        } while (true);
        return total;
    }

    private static long divUp(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
