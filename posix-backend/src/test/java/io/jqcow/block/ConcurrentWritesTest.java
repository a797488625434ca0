package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Concurrent partial-block writes through the request layer. The driver pauses in every read so
 * that a read-modify-write without serialisation would lose data almost every time.
 */
class ConcurrentWritesTest {
    private static RequestThreads threads;

    @BeforeContainer
    static void start() {
        threads = new RequestThreads("concurrent-test", 16);
    }

    @AfterContainer
    static void stop() {
        threads.close();
    }

    /** Random cut points split a disk into pieces written concurrently; every byte must land. */
    @Property(tries = 40)
    void disjointUnalignedWritesAllLand(@ForAll @IntRange(min = 2, max = 12) int pieces,
                                        @ForAll @IntRange(min = 0, max = 1_000_000) int seed) throws Exception {
        int size = 3 * 4096;
        java.util.Random random = new java.util.Random(seed);
        int[] cuts = random.ints(pieces - 1, 1, size).sorted().distinct().toArray();
        byte[] model = new byte[size];
        random.nextBytes(model);
        Limits limits = new Limits(4096, 1, 1, 0, 0, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(size, limits)).pauseInReads();
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : size;
                writes.add(node.writeAsync(from, IoVector.wrap(Arrays.copyOfRange(model, from, to)), 0));
                from = to;
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            byte[] back = new byte[size];
            node.read(0, back, 0, size);
            assertArrayEquals(model, back);
        }
    }

    /** Four sectors of one block written at the same offset pattern many times stay consistent. */
    @Property(tries = 20)
    void overlappingWritesLeaveOneWritersBytesPerSector(@ForAll @IntRange(min = 2, max = 8) int writers)
            throws Exception {
        Limits limits = new Limits(4096, 1, 1, 0, 0, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(4096, limits)).pauseInReads();
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int w = 1; w <= writers; w++) {
                byte[] data = new byte[1024];
                Arrays.fill(data, (byte) w);
                writes.add(node.writeAsync(1024, IoVector.wrap(data), 0));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            byte[] back = new byte[4096];
            node.read(0, back, 0, 4096);
            byte winner = back[1024];
            for (int i = 1024; i < 2048; i++) {
                assertEquals(winner, back[i], "torn write at " + i);
            }
            assertEquals(0, back[0]);
            assertEquals(0, back[2048]);
        }
    }
}
