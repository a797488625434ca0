package io.jqcow.tools.convert;

import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.tools.convert.WriteRun.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks a chunk one target cluster at a time for ChunkAnalyzer when the target works in clusters.
 * A cluster mixing source data with unallocated (zero) areas is judged whole, after its zero areas
 * are zero-filled in the data buffer (only the data pieces were read into it). A cluster mixing
 * data with areas the source leaves to its backing file keeps the per-piece decision.
 */
final class ClusterPlan {
    private ClusterPlan() {
    }

    static void plan(ChunkAnalyzer analyzer, Chunk chunk, ByteBuffer data, List<WriteRun> runs) {
        long gran = analyzer.clusterSize();
        List<Chunk.Piece> pieces = chunk.pieces();
        int pi = 0;
        int at = pieces.isEmpty() ? 0 : pieces.get(0).at();
        int end = pieces.isEmpty() ? 0 : pieces.get(pieces.size() - 1).at() + pieces.get(pieces.size() - 1).length();
        RunMerger merger = new RunMerger(runs);
        while (at < end) {
            long abs = chunk.offset() + at;
            int len = (int) Math.min(end - at, (abs / gran + 1) * gran - abs);
            List<Chunk.Piece> inCluster = new ArrayList<>(2);
            while (pi < pieces.size() && pieces.get(pi).at() + pieces.get(pi).length() <= at) {
                pi++;
            }
            for (int k = pi; k < pieces.size() && pieces.get(k).at() < at + len; k++) {
                inCluster.add(pieces.get(k));
            }
            boolean hasData = inCluster.stream().anyMatch(p -> p.kind() == Kind.DATA);
            boolean backing = inCluster.stream().anyMatch(p -> p.kind() == Kind.BACKING);
            if (backing && inCluster.size() > 1) {
                // mixed with the backing file: close the current run and decide piece by piece
                merger.close(at);
                for (Chunk.Piece p : inCluster) {
                    int from = Math.max(p.at(), at);
                    int to = Math.min(p.at() + p.length(), at + len);
                    analyzer.planPiece(chunk.offset(), new Chunk.Piece(from, to - from, p.kind()), data, runs);
                }
                at += len;
                continue;
            }
            Type t = null;
            if (!backing) {
                if (hasData) {
                    zeroFillNonData(inCluster, at, len, data);
                }
                t = analyzer.decideCluster(chunk.offset(), at, len, hasData, data);
            }
            merger.block(t, at);
            at += len;
        }
        merger.close(at);
    }

    /** The unallocated parts of a data cluster read as zeroes: make the buffer say so. */
    private static void zeroFillNonData(List<Chunk.Piece> inCluster, int at, int len, ByteBuffer data) {
        for (Chunk.Piece p : inCluster) {
            int from = Math.max(p.at(), at);
            int to = Math.min(p.at() + p.length(), at + len);
            if (p.kind() != Kind.DATA) {
                for (int i = from; i < to; i++) {
                    data.put(i, (byte) 0);
                }
            }
        }
    }
}
