package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.tools.testing.MemoryNode;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ChunkPlannerTest {

    /** Chunks tile target space in order inside 2 MiB windows; pieces tile each chunk with the right kinds. */
    @Property(tries = 60)
    void chunksTileTargetSpace(@ForAll @IntRange(min = 1, max = 3000) int sectors8,
                               @ForAll boolean whole, @ForAll boolean full, @ForAll long seed) throws Exception {
        int size = sectors8 * 4096;
        MemoryNode node = new MemoryNode(new byte[size], true);
        Random rnd = new Random(seed);
        boolean[] hole = new boolean[sectors8];
        for (int i = 0; i < sectors8; i++) {
            hole[i] = rnd.nextInt(3) == 0;
            if (hole[i]) {
                node.markUnallocated(i * 4096L, 4096);
            }
        }
        SourceSet set = new SourceSet(List.of(node), false);
        ChunkPlanner planner = new ChunkPlanner(set, whole, full);
        long pos = 0;
        long seq = 0;
        for (Chunk c = planner.next(); c != null; c = planner.next()) {
            assertEquals(seq++, c.seq());
            assertEquals(pos, c.offset());
            assertTrue(c.length() > 0 && c.length() <= ChunkPlanner.CHUNK_SIZE);
            assertEquals(c.offset() / ChunkPlanner.CHUNK_SIZE, (c.offset() + c.length() - 1) / ChunkPlanner.CHUNK_SIZE,
                    "chunk crosses a window boundary");
            int at = 0;
            for (Chunk.Piece p : c.pieces()) {
                assertEquals(at, p.at());
                at += p.length();
                boolean uniform = c.pieces().size() == 1;
                for (long b = (c.offset() + p.at()) / 4096; b < (c.offset() + p.at() + p.length()) / 4096; b++) {
                    Kind expect = full || (whole && !uniform) ? Kind.DATA : hole[(int) b] ? Kind.ZERO : Kind.DATA;
                    if (!(whole && p.kind() == Kind.DATA && uniform && !full)) {
                        assertEquals(expect, p.kind(), "block " + b);
                    }
                }
            }
            assertEquals(c.length(), at);
            pos += c.length();
        }
        assertEquals(size, pos);
    }
}
