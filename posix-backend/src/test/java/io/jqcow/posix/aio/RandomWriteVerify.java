package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The qd32 workload shared by the file and loop-device tests: 32 threads write distinct random 4K
 * blocks (every third as a two-segment vector), then everything is read back through linux-aio
 * and, independently, with plain pread on the raw fd.
 */
final class RandomWriteVerify {
    static final int BLOCK = 4096;
    static final int QUEUE_DEPTH = 32;

    private RandomWriteVerify() {
    }

    /** Fills block {@code index} deterministically; different seeds give different contents. */
    static void pattern(ByteBuffer b, long index, long seed) {
        Random r = new Random(index * 0x9E3779B97F4A7C15L ^ seed);
        for (int i = 0; i < b.remaining(); i += 8) {
            b.putLong(b.position() + i, r.nextLong());
        }
    }

    /**
     * Writes {@code writes} distinct random blocks of a {@code blocks}-block region at queue depth
     * 32 through {@code file} (with {@code splitSome}, every third as two 2K segments, which needs a
     * 512-byte logical block size), then verifies them. Returns the block indices written.
     */
    static List<Integer> run(HostFile file, int rawFd, int blocks, int writes, long seed, boolean splitSome)
            throws Exception {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            all.add(i);
        }
        Collections.shuffle(all, new Random(seed));
        List<Integer> chosen = all.subList(0, writes);
        ExecutorService pool = Executors.newFixedThreadPool(QUEUE_DEPTH);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < QUEUE_DEPTH; t++) {
                int first = t;
                jobs.add(pool.submit(() -> {
                    for (int k = first; k < chosen.size(); k += QUEUE_DEPTH) {
                        int block = chosen.get(k);
                        ByteBuffer buf = AlignedBuffers.allocate(BLOCK, BLOCK);
                        pattern(buf, block, seed);
                        ByteBuffer[] vec = splitSome && k % 3 == 0
                                ? new ByteBuffer[] {buf.slice(0, BLOCK / 2), buf.slice(BLOCK / 2, BLOCK / 2)}
                                : new ByteBuffer[] {buf};
                        assertEquals(BLOCK, file.pwritev(vec, (long) block * BLOCK));
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
            jobs.clear();
            for (int t = 0; t < QUEUE_DEPTH; t++) {
                int first = t;
                jobs.add(pool.submit(() -> {
                    ByteBuffer got = AlignedBuffers.allocate(BLOCK, BLOCK);
                    ByteBuffer want = AlignedBuffers.allocate(BLOCK, BLOCK);
                    for (int k = first; k < chosen.size(); k += QUEUE_DEPTH) {
                        int block = chosen.get(k);
                        pattern(want, block, seed);
                        assertEquals(BLOCK, file.preadv(new ByteBuffer[] {got}, (long) block * BLOCK));
                        assertEquals(want, got, "aio read-back of block " + block);
                        got.clear();
                        assertEquals(BLOCK, TestFiles.pread(rawFd, got, (long) block * BLOCK));
                        assertEquals(want, got, "pread of block " + block);
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return chosen;
    }
}
