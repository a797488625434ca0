package io.jqcow.tools.convert;

import io.jqcow.image.ConvertSourceChain.Kind;

/**
 * One unit of convert work in target space: at most {@link ChunkPlanner#CHUNK_SIZE} bytes of one
 * kind. {@code seq} orders the writes when they must happen in order.
 */
record Chunk(long seq, long offset, int length, Kind kind) {
}
