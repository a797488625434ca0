package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Refcount entries of every width: a write reads back masked to the width and leaves neighbours alone. */
class RefcountWidthTest {

    @Property(tries = 500)
    void setThenGetTouchesOnlyThatEntry(@ForAll @IntRange(min = 0, max = 6) int order,
                                        @ForAll @IntRange(min = 0, max = 511) int index, @ForAll long value,
                                        @ForAll long fill) {
        int entries = 512 * 8 >> order;
        index %= entries;
        ByteBuffer block = ByteBuffer.allocate(512);
        for (int i = 0; i < 64; i++) {
            block.putLong(i * 8, fill);
        }
        long[] before = new long[entries];
        for (int i = 0; i < entries; i++) {
            before[i] = RefcountWidth.get(block, order, i);
        }
        RefcountWidth.set(block, order, index, value);
        long mask = order == 6 ? -1L : (1L << (1 << order)) - 1;
        for (int i = 0; i < entries; i++) {
            assertEquals(i == index ? value & mask : before[i], RefcountWidth.get(block, order, i), "entry " + i);
        }
    }

    @Test
    void subByteEntriesStartAtTheLeastSignificantBit() {
        ByteBuffer block = ByteBuffer.allocate(8);
        for (int i = 0; i < 6; i++) {
            RefcountWidth.set(block, 0, i, 1);
        }
        // The digest's verified example: 1-bit refcounts with clusters 0..5 in use give 0x3F.
        assertEquals(0x3F, block.get(0) & 0xFF);
    }
}
