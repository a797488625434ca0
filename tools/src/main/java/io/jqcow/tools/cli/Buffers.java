package io.jqcow.tools.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Aligned direct buffers of any length. (ByteBuffer.alignedSlice also rounds the end down to the
 * alignment, so the backing allocation is rounded up first and the result trimmed to size.)
 */
public final class Buffers {
    private Buffers() {
    }

    public static ByteBuffer aligned(int size, int alignment, byte fill) {
        if (Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        long rounded = ((long) size + alignment - 1) / alignment * alignment;
        if (rounded + alignment > Integer.MAX_VALUE) {
            throw new OutOfMemoryError("buffer too large: " + size);
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) rounded + alignment);
        ByteBuffer out = raw.alignedSlice(alignment).slice(0, size).order(ByteOrder.BIG_ENDIAN);
        if (fill != 0) {
            for (int i = 0; i < size; i++) {
                out.put(i, fill);
            }
        }
        return out;
    }
}
