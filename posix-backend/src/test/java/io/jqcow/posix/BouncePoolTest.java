package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BouncePoolTest {
    @Test
    void smallRequestsGetSmallAlignedBuffersThatAreReused() {
        BouncePool pool = new BouncePool(1 << 20, 4096, 512, 8, 2);
        ByteBuffer a = pool.acquire(4096);
        assertEquals(BouncePool.SMALL, a.capacity());
        assertTrue(AlignedBuffers.isAligned(a, 4096));
        pool.release(a);
        assertSame(a, pool.acquire(512), "a released small buffer is reused");
    }

    @Test
    void largeRequestsGetFullSizeBuffersFromTheirOwnClass() {
        BouncePool pool = new BouncePool(1 << 20, 4096, 512, 8, 2);
        ByteBuffer big = pool.acquire(BouncePool.SMALL + 1);
        assertEquals(1 << 20, big.capacity());
        pool.release(big);
        ByteBuffer small = pool.acquire(100);
        assertEquals(BouncePool.SMALL, small.capacity(), "a small request never takes the large buffer");
        assertSame(big, pool.acquire(2 << 20));
    }

    @Test
    void smallClassGrowsToTheRequestGranularityAndCollapsesIntoLargeWhenNotSmaller() {
        BouncePool coarse = new BouncePool(1 << 20, 4096, 128 << 10, 8, 2);
        assertEquals(128 << 10, coarse.acquire(1).capacity());
        BouncePool tiny = new BouncePool(BouncePool.SMALL, 512, 512, 8, 2);
        ByteBuffer b = tiny.acquire(1);
        assertEquals(BouncePool.SMALL, b.capacity());
        tiny.release(b);
        assertSame(b, tiny.acquire(BouncePool.SMALL), "one class only: the buffer comes back");
    }
}
