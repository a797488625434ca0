package io.jqcow.tools.convert;

import io.jqcow.image.ConvertSourceChain.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The source reads of one chunk: its data pieces, with the smallest gaps between them bridged
 * until at most {@link #MAX_READS} remain, so that a chunk keeps a bounded number of requests in
 * flight however fragmented the source is (bridged gaps are read and then ignored).
 */
final class ReadSpans {
    static final int MAX_READS = 16;

    private ReadSpans() {
    }

    /** [at, length] pairs relative to the chunk start, in order. */
    static List<int[]> of(Chunk c) {
        List<int[]> spans = new ArrayList<>();
        for (Chunk.Piece p : c.pieces()) {
            if (p.kind() == Kind.DATA) {
                spans.add(new int[] {p.at(), p.length()});
            }
        }
        while (spans.size() > MAX_READS) {
            int best = 0;
            int bestGap = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < spans.size(); i++) {
                int gap = spans.get(i + 1)[0] - (spans.get(i)[0] + spans.get(i)[1]);
                if (gap < bestGap) {
                    bestGap = gap;
                    best = i;
                }
            }
            int[] a = spans.get(best);
            int[] b = spans.remove(best + 1);
            a[1] = b[0] + b[1] - a[0];
        }
        return spans;
    }
}
