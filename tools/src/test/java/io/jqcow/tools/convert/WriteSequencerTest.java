package io.jqcow.tools.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class WriteSequencerTest {

    /** Chunks arrive shuffled within the in-flight window; they run in sequence order all the same. */
    @Property(tries = 200)
    void runsInSequenceWhateverTheArrivalOrder(@ForAll @IntRange(min = 1, max = 16) int window,
                                               @ForAll @IntRange(min = 0, max = 200) int count,
                                               @ForAll long seed) {
        WriteSequencer seq = new WriteSequencer(window);
        List<Long> ran = new ArrayList<>();
        Random rnd = new Random(seed);
        for (int block = 0; block < count; block += window) {
            List<Long> ids = new ArrayList<>();
            for (long i = block; i < Math.min(count, block + window); i++) {
                ids.add(i);
            }
            Collections.shuffle(ids, rnd);
            for (long id : ids) {
                seq.submit(id, () -> ran.add(id));
            }
        }
        List<Long> expect = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            expect.add(i);
        }
        assertEquals(expect, ran);
    }

    /** Many threads, at most window chunks outstanding: every write runs once, in order. */
    @Property(tries = 20)
    void concurrentSubmitters(@ForAll @IntRange(min = 1, max = 8) int window) throws Exception {
        int count = 2000;
        WriteSequencer seq = new WriteSequencer(window);
        Semaphore slots = new Semaphore(window);
        List<Long> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(count);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (long i = 0; i < count; i++) {
                slots.acquire();
                long id = i;
                pool.execute(() -> seq.submit(id, () -> {
                    ran.add(id);
                    slots.release();
                    done.countDown();
                }));
            }
            assertEquals(true, done.await(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < count; i++) {
            assertEquals((long) i, ran.get(i));
        }
    }
}
