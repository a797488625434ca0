package io.jqcow.tools.cli;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;

/** Aligned direct buffers pre-filled with a byte, as qemu-io and qemu-img bench hand them out. */
public final class Buffers {
    private Buffers() {
    }

    public static ByteBuffer aligned(int size, int alignment, byte fill) {
        ByteBuffer out = AlignedBuffers.allocate(size, alignment);
        if (fill != 0) {
            for (int i = 0; i < size; i++) {
                out.put(i, fill);
            }
        }
        return out;
    }
}
