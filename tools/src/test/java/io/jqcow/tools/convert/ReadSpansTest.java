package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.image.ConvertSourceChain.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ReadSpansTest {

    /** At most MAX_READS spans, in order, not overlapping, covering every data piece. */
    @Property(tries = 200)
    void fewSpansCoverAllData(@ForAll @IntRange(min = 1, max = 60) int pieces, @ForAll long seed) {
        Random rnd = new Random(seed);
        List<Chunk.Piece> list = new ArrayList<>();
        int at = 0;
        Kind prev = null;
        for (int i = 0; i < pieces; i++) {
            Kind k = Kind.values()[rnd.nextInt(3)];
            if (k == prev) {
                continue;
            }
            int len = 512 * (1 + rnd.nextInt(64));
            list.add(new Chunk.Piece(at, len, k));
            at += len;
            prev = k;
        }
        Chunk c = new Chunk(0, 0, at, list);
        List<int[]> spans = ReadSpans.of(c);
        assertTrue(spans.size() <= ReadSpans.MAX_READS);
        int end = -1;
        for (int[] s : spans) {
            assertTrue(s[0] >= end && s[1] > 0);
            end = s[0] + s[1];
        }
        for (Chunk.Piece p : list) {
            if (p.kind() == Kind.DATA) {
                assertTrue(spans.stream().anyMatch(s -> s[0] <= p.at() && p.at() + p.length() <= s[0] + s[1]),
                        "piece at " + p.at() + " not read");
            }
        }
        long dataPieces = list.stream().filter(p -> p.kind() == Kind.DATA).count();
        assertEquals(Math.min(dataPieces, ReadSpans.MAX_READS), spans.size());
    }
}
