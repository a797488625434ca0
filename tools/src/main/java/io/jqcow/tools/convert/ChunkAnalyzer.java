package io.jqcow.tools.convert;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.tools.convert.WriteRun.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which target requests a chunk needs once its data is read: zero blocks at -S
 * granularity are skipped on a zero-initialised target or written as zeroes otherwise, the rest is
 * written (compressed with -c). With a target backing file (-B) qemu-img's rules hold: all source
 * data is written (even where it equals the backing file), zero data becomes zero clusters, and a
 * zero (unallocated) source area becomes zero clusters only where the backing file reaches.
 */
final class ChunkAnalyzer {
    private final CopyOptions options;
    private final boolean hasBacking;
    /** Length of the target's backing file, or -1 without one. */
    private final long backingLength;
    private final ByteBuffer zeroes;
    private final CompressionProbe probe;

    /** @param probe with -c: which clusters shrink (the others are written plainly), else null */
    ChunkAnalyzer(CopyOptions options, long backingLength, CompressionProbe probe) {
        this.options = options;
        this.hasBacking = backingLength >= 0;
        this.backingLength = backingLength;
        this.probe = probe;
        this.zeroes = AlignedBuffers.allocate(ChunkPlanner.CHUNK_SIZE, 4096).asReadOnlyBuffer();
    }

    /** @param data the chunk's source bytes at [0, length) (DATA pieces) */
    List<WriteRun> plan(Chunk chunk, ByteBuffer data) {
        List<WriteRun> runs = new ArrayList<>(4);
        if (hasBacking || options.compress()) {
            ClusterPlan.plan(this, chunk, data, runs);
            return runs;
        }
        for (Chunk.Piece p : chunk.pieces()) {
            plan(chunk.offset(), p, data, runs);
        }
        return runs;
    }

    /**
     * What one whole target cluster needs when the target works in clusters (-B, -c), as qemu-img
     * decides it: a cluster with any source data is read whole (its unallocated parts as zeroes)
     * and written, or zeroed when it is all zero; a cluster without data is zeroed or skipped.
     *
     * @param hasData whether a DATA piece overlaps the cluster (its bytes in data are complete)
     */
    Type decideCluster(long chunkOffset, int at, int len, boolean hasData, ByteBuffer data) {
        if (!hasData) {
            return hasBacking ? zeroOverBacking(chunkOffset, at) : options.zeroInit() ? null : Type.ZERO;
        }
        if (options.sparse() > 0 && isZero(data, at, len)) {
            return options.zeroInit() && !hasBacking ? null : Type.ZERO;
        }
        if (options.compress()) {
            return probe != null && !probe.shrinks(data, at, len) ? Type.WRITE : Type.COMPRESS;
        }
        return Type.WRITE;
    }

    /** The old per-piece decision, for a cluster that mixes data with backing-file areas. */
    void planPiece(long chunkOffset, Chunk.Piece piece, ByteBuffer data, List<WriteRun> runs) {
        plan(chunkOffset, piece, data, runs);
    }

    long clusterSize() {
        return options.clusterSize();
    }

    /** Zeroes at a target offset with a backing file: a zero cluster where the backing file reaches. */
    private Type zeroOverBacking(long chunkOffset, int at) {
        return chunkOffset + at < backingLength ? Type.ZERO : null;
    }

    private void plan(long chunkOffset, Chunk.Piece piece, ByteBuffer data, List<WriteRun> runs) {
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
            forEachBlock(chunkOffset, piece, options.clusterSize(), (at, len) -> zeroOverBacking(chunkOffset, at),
                    runs);
            return;
        }
        long gran = hasBacking || options.compress() ? options.clusterSize() : options.sparse();
        Type dataType = options.compress() ? Type.COMPRESS : Type.WRITE;
        if (gran <= 0) {
            runs.add(new WriteRun(dataType, piece.at(), piece.length()));
            return;
        }
        forEachBlock(chunkOffset, piece, gran, (at, len) -> {
            if (options.sparse() > 0 && isZero(data, at, len)) {
                // zero data: a zero cluster with a backing file (qemu-img: even beyond its end)
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
        RunMerger merger = new RunMerger(runs);
        while (at < end) {
            long abs = chunkOffset + at;
            int len = (int) Math.min(end - at, (abs / gran + 1) * gran - abs);
            merger.block(decision.decide(at, len), at);
            at += len;
        }
        merger.close(at);
    }

    private boolean isZero(ByteBuffer buf, int at, int len) {
        return buf.slice(at, len).mismatch(zeroes.slice(0, len)) < 0;
    }
}
