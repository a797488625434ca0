package io.jqcow.block;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The one place that makes aligned native buffers and tells their addresses. */
public final class AlignedBuffers {
    private AlignedBuffers() {
    }

    /** A zeroed direct buffer of {@code size} bytes whose address is a multiple of {@code alignment}. */
    public static ByteBuffer allocate(int size, int alignment) {
        if (Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        // alignedSlice rounds the limit down to a multiple of alignment, so over-allocate by a
        // rounded-up size plus one alignment of slack for the start.
        int rounded = (int) (((long) size + alignment - 1) & -(long) alignment);
        ByteBuffer raw = ByteBuffer.allocateDirect(rounded + alignment);
        ByteBuffer aligned = raw.alignedSlice(alignment);
        aligned.limit(size);
        return aligned.slice().order(ByteOrder.BIG_ENDIAN);
    }

    /** Native address of the buffer's current position. The buffer must be direct. */
    public static long address(ByteBuffer buf) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(buf)) + buf.position();
    }

    /** True when the buffer is direct and its position's address is a multiple of alignment. */
    public static boolean isAligned(ByteBuffer buf, int alignment) {
        return buf.isDirect() && (address(buf) & (alignment - 1)) == 0;
    }
}
