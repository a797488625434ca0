package io.jqcow.qcow2.check;

import java.nio.ByteBuffer;

/** Reads and writes one refcount entry of 2^order bits in a refcount block (sub-byte widths LSB first). */
final class RefcountWidth {
    private RefcountWidth() {
    }

    static long get(ByteBuffer block, int order, int index) {
        return switch (order) {
            case 3 -> block.get(index) & 0xFFL;
            case 4 -> block.getShort(index << 1) & 0xFFFFL;
            case 5 -> block.getInt(index << 2) & 0xFFFFFFFFL;
            case 6 -> block.getLong(index << 3);
            default -> {
                int bits = 1 << order;
                int pos = index * bits;
                yield (block.get(pos >>> 3) >>> (pos & 7)) & ((1 << bits) - 1);
            }
        };
    }

    static void set(ByteBuffer block, int order, int index, long value) {
        switch (order) {
            case 3 -> block.put(index, (byte) value);
            case 4 -> block.putShort(index << 1, (short) value);
            case 5 -> block.putInt(index << 2, (int) value);
            case 6 -> block.putLong(index << 3, value);
            default -> {
                int bits = 1 << order;
                int pos = index * bits;
                int shift = pos & 7;
                int mask = ((1 << bits) - 1) << shift;
                int old = block.get(pos >>> 3) & 0xFF;
                block.put(pos >>> 3, (byte) ((old & ~mask) | (((int) value << shift) & mask)));
            }
        }
    }
}
