package io.jqcow.block;

/** Rounding of non-negative offsets to an alignment (any positive value, not only powers of two). */
final class AlignMath {
    private AlignMath() {
    }

    static long down(long value, long alignment) {
        return value - value % alignment;
    }

    static long up(long value, long alignment) {
        long rest = value % alignment;
        return rest == 0 ? value : value + (alignment - rest);
    }

    static boolean aligned(long value, long alignment) {
        return value % alignment == 0;
    }
}
