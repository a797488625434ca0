package io.jqcow.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.qcow2.Qcow2CreateOptions;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The sizing rules behind measure, checked as invariants rather than against fixed numbers. */
class MeasureTest {

    @Property(tries = 200)
    void refcountStructuresCoverEverythingIncludingThemselves(
            @ForAll @LongRange(min = 1, max = 1L << 40) long clusters, @ForAll @IntRange(min = 9, max = 21) int bits,
            @ForAll @IntRange(min = 0, max = 6) int order) {
        long cs = 1L << bits;
        int width = 1 << order;
        long extra = Measure.refcountClusters(clusters, cs, width);
        long perBlock = cs * 8 / width;
        long blocks = extra - divUp(divUp(clusters + extra, perBlock), cs / 8);
        assertTrue(blocks * perBlock >= clusters + extra, "blocks count every cluster");
        assertTrue((extra - blocks) * (cs / 8) >= blocks, "the table lists every block");
        if (extra > 2) {
            assertTrue(Measure.refcountClusters(clusters, cs, width) <= Measure.refcountClusters(clusters + perBlock,
                    cs, width), "monotonic");
        }
    }

    @Property(tries = 100)
    void requiredGrowsWithDataAndNeverPassesFull(@ForAll @LongRange(min = 0, max = 1L << 36) long size,
                                                 @ForAll @IntRange(min = 0, max = 100) int percent) throws Exception {
        Qcow2CreateOptions o = Qcow2CreateOptions.parse(Map.of(), size);
        long cs = o.clusterSize();
        long aligned = (size + cs - 1) / cs * cs;
        long data = aligned / cs * percent / 100 * cs;
        MeasureResult empty = Measure.qcow2(o, size, 0, -1);
        MeasureResult some = Measure.qcow2(o, size, data, -1);
        assertEquals(empty.required() + data, some.required());
        assertTrue(some.required() <= some.fullyAllocated());
        assertEquals(empty.fullyAllocated(), Measure.qcow2(o, size, aligned, -1).required(), "all data = full");
    }

    @Property(tries = 100)
    void dataBytesCountsEachTouchedClusterOnce(@ForAll @LongRange(min = 0, max = 1 << 20) long a,
                                               @ForAll @LongRange(min = 1, max = 1 << 20) long len) {
        long cs = 65536;
        MapExtent first = new MapExtent(a, len, 0, true, false, true, a, "f");
        MapExtent second = new MapExtent(a + len, len, 0, true, false, true, -1, "f");
        long expected = ((a + 2 * len - 1) / cs - a / cs + 1) * cs;
        assertEquals(expected, Measure.dataBytes(List.of(first, second), cs));
        MapExtent zero = new MapExtent(a, len, 0, true, true, true, a, "f");
        assertEquals(0, Measure.dataBytes(List.of(zero), cs), "zero ranges need no data cluster");
    }

    private static long divUp(long x, long y) {
        return (x + y - 1) / y;
    }
}
