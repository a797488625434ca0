package io.jqcow.block;

/**
 * What a node can take directly. The request layer pads and splits so the driver only ever sees
 * requests that fit. Alignments are powers of two; 0 for maxTransfer means unlimited.
 *
 * @param requestAlignment offset and length granularity of reads and writes (logical block size)
 * @param memAlignment     buffer address alignment needed for zero-copy I/O (O_DIRECT)
 * @param optMemAlignment  buffer alignment that is fastest (never smaller than memAlignment)
 * @param maxTransfer      largest single request in bytes, 0 = no limit
 * @param writeZeroesAlignment preferred write-zeroes granularity, 0 = requestAlignment
 * @param discardAlignment preferred discard granularity, 0 = requestAlignment
 */
public record Limits(int requestAlignment, int memAlignment, int optMemAlignment, long maxTransfer,
                     int writeZeroesAlignment, int discardAlignment) {

    public static final Limits BYTE_ALIGNED = new Limits(1, 1, 1, 0, 0, 0);

    public Limits {
        if (Integer.bitCount(requestAlignment) != 1 || Integer.bitCount(memAlignment) != 1
                || Integer.bitCount(optMemAlignment) != 1) {
            throw new IllegalArgumentException("alignments must be powers of two: " + requestAlignment
                    + "/" + memAlignment + "/" + optMemAlignment);
        }
    }

    public Limits withRequestAlignment(int alignment) {
        return new Limits(alignment, memAlignment, optMemAlignment, maxTransfer, writeZeroesAlignment,
                discardAlignment);
    }
}
