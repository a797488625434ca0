package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.IoVector;
import io.jqcow.tools.testing.MemoryNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The copy loop over in-memory nodes: content, sparseness, order, bounded in-flight reads, errors. */
class CopyPipelineTest {
    private static final int BLOCK = 4096;

    /** A target that remembers where each write and write-zeroes went, in issue order. */
    static final class RecordingNode extends MemoryNode {
        final List<long[]> writes = new ArrayList<>();

        RecordingNode(int size) {
            super(size);
        }

        @Override
        public void write(long offset, IoVector qiov, int flags) throws BlockException {
            synchronized (writes) {
                writes.add(new long[] {offset, qiov.size()});
            }
            super.write(offset, qiov, flags);
        }

        @Override
        public synchronized void writeZeroes(long offset, long bytes, int flags) throws BlockException {
            synchronized (writes) {
                writes.add(new long[] {offset, bytes});
            }
            super.writeZeroes(offset, bytes, flags);
        }
    }

    /** Blocks: 0 unallocated, 1 written zeroes, 2 data. */
    private static MemoryNode source(int[] kinds, long seed) {
        Random rnd = new Random(seed);
        byte[] bytes = new byte[kinds.length * BLOCK];
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == 2) {
                byte[] b = new byte[BLOCK];
                rnd.nextBytes(b);
                b[rnd.nextInt(BLOCK)] = 1; // never all zero
                System.arraycopy(b, 0, bytes, i * BLOCK, BLOCK);
            }
        }
        MemoryNode node = new MemoryNode(bytes, true);
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == 0) {
                node.markUnallocated((long) i * BLOCK, BLOCK);
            }
        }
        return node;
    }

    private static int[] kinds(long seed, int blocks) {
        Random rnd = new Random(seed);
        int[] k = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            k[i] = rnd.nextInt(3);
        }
        return k;
    }

    @Property(tries = 40)
    void copiesContentAndSkipsZeroes(@ForAll @IntRange(min = 1, max = 1600) int blocks,
                                     @ForAll @IntRange(min = 1, max = 16) int workers,
                                     @ForAll boolean inOrder, @ForAll boolean zeroInit, @ForAll long seed)
            throws Exception {
        int[] kinds = kinds(seed, blocks);
        MemoryNode src = source(kinds, seed);
        RecordingNode dst = new RecordingNode(blocks * BLOCK);
        SourceSet set = new SourceSet(List.of(src), false);
        CopyOptions o = new CopyOptions(workers, inOrder, BLOCK, false, zeroInit, 65536);
        AtomicLong data = new AtomicLong();
        try (CopyPipeline p = new CopyPipeline(set, dst, null, null, o, data::addAndGet)) {
            p.run(new ChunkPlanner(set, false, false));
        }
        assertArrayEquals(src.contents(), dst.contents());
        int bound = workers * ReadSpans.MAX_READS;
        assertTrue(src.maxInFlight() <= bound, "in flight " + src.maxInFlight() + " > " + bound);
        long expectData = 0;
        for (int k : kinds) {
            expectData += k == 0 ? 0 : BLOCK;
        }
        assertEquals(expectData, data.get());
        long last = -1;
        for (long[] w : dst.writes) {
            int first = (int) (w[0] / BLOCK);
            int end = (int) ((w[0] + w[1]) / BLOCK);
            for (int b = first; b < end; b++) {
                if (zeroInit) {
                    assertEquals(2, kinds[b], "zero block " + b + " written on a zero-initialised target");
                }
            }
            if (inOrder) {
                assertTrue(w[0] > last, "write at " + w[0] + " after " + last);
                last = w[0];
            }
        }
        if (!zeroInit) {
            long covered = dst.writes.stream().mapToLong(w -> w[1]).sum();
            assertEquals((long) blocks * BLOCK, covered, "every byte is written or zeroed");
        }
    }

    @Test
    void readErrorNamesTheOffset() throws Exception {
        int[] kinds = new int[1024];
        java.util.Arrays.fill(kinds, 2);
        MemoryNode src = source(kinds, 1);
        src.failRange(3L << 20, 4096);
        RecordingNode dst = new RecordingNode(kinds.length * BLOCK);
        SourceSet set = new SourceSet(List.of(src), false);
        CopyOptions o = new CopyOptions(4, true, BLOCK, false, true, 65536);
        try (CopyPipeline p = new CopyPipeline(set, dst, null, null, o, n -> { })) {
            ConvertFailure f = assertThrows(ConvertFailure.class, () -> p.run(new ChunkPlanner(set, false, false)));
            assertEquals("error while reading at byte " + (2L << 20) + ": Input/output error", f.getMessage());
        }
    }

    @Test
    void severalSourcesLandEndToEndWithSectorPadding() throws Exception {
        byte[] a = new byte[1000];
        byte[] b = new byte[3 * BLOCK];
        new Random(5).nextBytes(a);
        new Random(6).nextBytes(b);
        SourceSet set = new SourceSet(List.of(new MemoryNode(a, true), new MemoryNode(b, true)), false);
        assertEquals(1024 + b.length, set.totalLength());
        RecordingNode dst = new RecordingNode((int) set.totalLength());
        try (CopyPipeline p = new CopyPipeline(set, dst, null, null, new CopyOptions(3, true, 512, false, true,
                65536), n -> { })) {
            p.run(new ChunkPlanner(set, false, false));
        }
        byte[] expect = new byte[(int) set.totalLength()];
        System.arraycopy(a, 0, expect, 0, a.length);
        System.arraycopy(b, 0, expect, 1024, b.length);
        assertArrayEquals(expect, dst.contents());
    }
}
