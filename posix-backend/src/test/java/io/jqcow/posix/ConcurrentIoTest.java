package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqcow.block.IoVector;
import io.jqcow.block.RequestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver keeps no per-request state: threads working on disjoint ranges never disturb each other. */
class ConcurrentIoTest {
    private static final int CHUNK = 65536;
    private static final int THREADS = 8;

    @TempDir
    Path dir;

    @Test
    void disjointWritesFromManyThreads() throws Exception {
        Path p = TestSupport.newFile(dir, "c.img", new byte[CHUNK * THREADS]);
        FilePosixDriver d = FilePosix.openDriver(FileOptions.defaults(p, false).withCache(CacheMode.NONE));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        byte[][] expected = new byte[THREADS][];
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                expected[t] = TestSupport.pattern(CHUNK, 100 + t);
                jobs.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        // alternate zero-copy and bounced vectors
                        IoVector v = round % 2 == 0
                                ? IoVector.of(TestSupport.direct(expected[id], 4096))
                                : IoVector.wrap(expected[id]);
                        d.write(RequestContext.NONE, (long) id * CHUNK, v, 0);
                        byte[] back = new byte[CHUNK];
                        d.read(RequestContext.NONE, (long) id * CHUNK, IoVector.wrap(back), 0);
                        assertArrayEquals(expected[id], back);
                        if (round == 10) {
                            d.writeZeroes(RequestContext.NONE, (long) id * CHUNK, CHUNK, 0);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdown();
            d.close();
        }
        byte[] all = Files.readAllBytes(p);
        for (int t = 0; t < THREADS; t++) {
            assertArrayEquals(expected[t], Arrays.copyOfRange(all, t * CHUNK, (t + 1) * CHUNK));
        }
    }
}
