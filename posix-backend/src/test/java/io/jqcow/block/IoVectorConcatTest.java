package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IoVectorConcatTest {
    @Test
    void emptyPlaceholdersDoNotSpoilZeroCopyAlignment() {
        ByteBuffer data = AlignedBuffers.allocate(4096, 4096);
        IoVector empty = IoVector.of(ByteBuffer.allocate(0));
        IoVector all = empty.concat(IoVector.of(data)).concat(empty);
        assertEquals(4096, all.size());
        assertEquals(1, all.segments().length);
        assertTrue(all.isAligned(4096, 512));
    }

    @Test
    void nonEmptyHeapSegmentsStayAndKeepTheirOrder() {
        IoVector a = IoVector.wrap(new byte[] {1, 2});
        IoVector b = IoVector.of(AlignedBuffers.allocate(512, 512));
        IoVector all = a.concat(b).concat(IoVector.wrap(new byte[] {3}));
        assertEquals(515, all.size());
        assertFalse(all.isAligned(512, 512), "a heap segment with bytes must still force a bounce");
        byte[] out = new byte[515];
        all.copyTo(0, ByteBuffer.wrap(out));
        assertArrayEquals(new byte[] {1, 2, 0}, new byte[] {out[0], out[1], out[2]});
        assertEquals(3, out[514]);
    }
}
