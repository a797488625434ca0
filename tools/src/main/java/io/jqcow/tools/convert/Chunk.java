package io.jqcow.tools.convert;

import io.jqcow.image.ConvertSourceChain.Kind;
import java.util.List;

/**
 * One unit of convert work in target space: a window of at most {@link ChunkPlanner#CHUNK_SIZE}
 * bytes cut into pieces of one kind each. {@code seq} orders the writes when they must happen in
 * order. Several extents share a chunk so that a fragmented source does not cost one round of
 * thread wake-ups per 64K extent.
 */
record Chunk(long seq, long offset, int length, List<Piece> pieces) {

    /** A run of one kind inside the chunk, {@code at} bytes from its start. */
    record Piece(int at, int length, Kind kind) {
    }

    Chunk {
        pieces = List.copyOf(pieces);
    }

    /** Bytes of the chunk that are copied as data (what progress counts). */
    long dataBytes() {
        long n = 0;
        for (Piece p : pieces) {
            if (p.kind() == Kind.DATA) {
                n += p.length();
            }
        }
        return n;
    }
}
