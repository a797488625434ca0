package io.jqcow.tools.convert;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.tools.convert.WriteRun.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which target requests a chunk needs once its data is read: zero blocks at -S
 * granularity are skipped on a zero-initialised target or written as zeroes otherwise, clusters
 * equal to the target's backing file are skipped, the rest is written (compressed with -c).
 */
final class ChunkAnalyzer {
    private final CopyOptions options;
    private final boolean hasBacking;
    private final ByteBuffer zeroes;
    private final CompressionProbe probe;

    /** @param probe with -c: which clusters shrink (the others are written plainly), else null */
    ChunkAnalyzer(CopyOptions options, boolean hasBacking, CompressionProbe probe) {
        this.options = options;
        this.hasBacking = hasBacking;
        this.probe = probe;
        this.zeroes = AlignedBuffers.allocate(ChunkPlanner.CHUNK_SIZE, 4096).asReadOnlyBuffer();
    }

    /**
     * @param data the chunk's source bytes at [0, length) (DATA pieces)
     * @param base the target backing file's bytes at [0, length) (when the target has one)
     */
    List<WriteRun> plan(Chunk chunk, ByteBuffer data, ByteBuffer base) {
        List<WriteRun> runs = new ArrayList<>(4);
        for (Chunk.Piece p : chunk.pieces()) {
            plan(chunk.offset(), p, data, base, runs);
        }
        return runs;
    }

    private void plan(long chunkOffset, Chunk.Piece piece, ByteBuffer data, ByteBuffer base, List<WriteRun> runs) {
        if (piece.kind() == Kind.BACKING) {
            return;
        }
        if (piece.kind() == Kind.ZERO) {
            if (!hasBacking) {
                if (!options.zeroInit()) {
                    runs.add(new WriteRun(Type.ZERO, piece.at(), piece.length()));
                }
                return;
            }
            forEachBlock(chunkOffset, piece, options.clusterSize(),
                    (at, len) -> isZero(base, at, len) ? null : Type.ZERO, runs);
            return;
        }
        long gran = hasBacking || options.compress() ? options.clusterSize() : options.sparse();
        Type dataType = options.compress() ? Type.COMPRESS : Type.WRITE;
        if (gran <= 0) {
            runs.add(new WriteRun(dataType, piece.at(), piece.length()));
            return;
        }
        forEachBlock(chunkOffset, piece, gran, (at, len) -> {
            if (hasBacking && equal(data, base, at, len)) {
                return null;
            }
            if (options.sparse() > 0 && isZero(data, at, len)) {
                return options.zeroInit() && !hasBacking ? null : Type.ZERO;
            }
            if (dataType == Type.COMPRESS && probe != null && !probe.shrinks(data, at, len)) {
                return Type.WRITE;
            }
            return dataType;
        }, runs);
    }

    @FunctionalInterface
    private interface BlockDecision {
        Type decide(int at, int length);
    }

    /** Classifies the blocks of the piece aligned to gran in target space and merges neighbours. */
    private static void forEachBlock(long chunkOffset, Chunk.Piece piece, long gran, BlockDecision decision,
                                     List<WriteRun> runs) {
        int at = piece.at();
        int end = piece.at() + piece.length();
        Type runType = null;
        int runStart = at;
        while (at < end) {
            long abs = chunkOffset + at;
            int len = (int) Math.min(end - at, (abs / gran + 1) * gran - abs);
            Type t = decision.decide(at, len);
            if (t != runType) {
                if (runType != null) {
                    runs.add(new WriteRun(runType, runStart, at - runStart));
                }
                runType = t;
                runStart = at;
            }
            at += len;
        }
        if (runType != null) {
            runs.add(new WriteRun(runType, runStart, at - runStart));
        }
    }

    private boolean isZero(ByteBuffer buf, int at, int len) {
        return buf.slice(at, len).mismatch(zeroes.slice(0, len)) < 0;
    }

    private static boolean equal(ByteBuffer a, ByteBuffer b, int at, int len) {
        return a.slice(at, len).mismatch(b.slice(at, len)) < 0;
    }
}
