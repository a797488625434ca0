package io.jqcow.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class BuffersTest {

    @Property(tries = 200)
    void anySizeIsAlignedAndFilled(@ForAll @IntRange(min = 0, max = 20000) int size,
                                   @ForAll @IntRange(min = 0, max = 12) int shift) {
        int alignment = 1 << shift;
        ByteBuffer b = Buffers.aligned(size, alignment, (byte) 0x5a);
        assertEquals(size, b.remaining());
        assertTrue(size == 0 || AlignedBuffers.isAligned(b, alignment));
        for (int i = 0; i < size; i++) {
            assertEquals(0x5a, b.get(i));
        }
    }
}
