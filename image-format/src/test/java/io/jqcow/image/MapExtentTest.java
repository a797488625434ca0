package io.jqcow.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** qemu-img map's merge rule: only contiguous ranges with the same attributes and host continuity. */
class MapExtentTest {

    @Property(tries = 100)
    void contiguousDataWithContiguousHostOffsetsMerges(@ForAll @LongRange(min = 0, max = 1L << 40) long start,
                                                       @ForAll @LongRange(min = 1, max = 1L << 30) long len,
                                                       @ForAll @LongRange(min = 0, max = 1L << 40) long host) {
        MapExtent a = new MapExtent(start, len, 0, true, false, true, host, "f");
        MapExtent b = new MapExtent(start + len, len, 0, true, false, true, host + len, "f");
        assertTrue(a.mergeableWith(b));
        MapExtent m = a.merge(b);
        assertEquals(start, m.start());
        assertEquals(2 * len, m.length());
        assertEquals(host, m.offset());
        MapExtent jump = new MapExtent(start + len, len, 0, true, false, true, host + len + 512, "f");
        assertFalse(a.mergeableWith(jump), "host offsets must continue");
        MapExtent gap = new MapExtent(start + len + 1, len, 0, true, false, true, host + len, "f");
        assertFalse(a.mergeableWith(gap), "guest ranges must touch");
    }

    @Test
    void differentAttributesDoNotMerge() {
        MapExtent base = new MapExtent(0, 512, 0, false, true, false, -1, null);
        assertTrue(base.mergeableWith(new MapExtent(512, 512, 0, false, true, false, -1, null)));
        assertFalse(base.mergeableWith(new MapExtent(512, 512, 1, false, true, false, -1, null)), "depth");
        assertFalse(base.mergeableWith(new MapExtent(512, 512, 0, true, true, false, -1, null)), "present");
        assertFalse(base.mergeableWith(new MapExtent(512, 512, 0, false, false, false, -1, null)), "zero");
        assertFalse(base.mergeableWith(new MapExtent(512, 512, 0, false, true, true, -1, null)), "data");
        assertFalse(base.mergeableWith(new MapExtent(512, 512, 0, false, true, false, 512, "f")), "offset");
    }
}
