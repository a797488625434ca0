package io.jqcow.qcow2;

import java.nio.ByteBuffer;

/** Reads and writes one refcount entry of 1..64 bits inside a refcount block. */
final class RefcountEntries {
    private RefcountEntries() {
    }

    static long get(ByteBuffer block, int order, int index) {
        switch (order) {
            case 3:
                return block.get(index) & 0xFFL;
            case 4:
                return block.getShort(index * 2) & 0xFFFFL;
            case 5:
                return block.getInt(index * 4) & 0xFFFFFFFFL;
            case 6:
                return block.getLong(index * 8);
            default:
                int width = 1 << order;
                int bit = index * width;
                return (block.get(bit >>> 3) >>> (bit & 7)) & ((1 << width) - 1);
        }
    }

    static void set(ByteBuffer block, int order, int index, long value) {
        switch (order) {
            case 3 -> block.put(index, (byte) value);
            case 4 -> block.putShort(index * 2, (short) value);
            case 5 -> block.putInt(index * 4, (int) value);
            case 6 -> block.putLong(index * 8, value);
            default -> {
                int width = 1 << order;
                int bit = index * width;
                int mask = ((1 << width) - 1) << (bit & 7);
                int old = block.get(bit >>> 3) & 0xFF;
                block.put(bit >>> 3, (byte) ((old & ~mask) | (((int) value << (bit & 7)) & mask)));
            }
        }
    }
}
