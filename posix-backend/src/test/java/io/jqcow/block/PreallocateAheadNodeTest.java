package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FileOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Space allocated ahead of extending writes on a real file, and the tail given back on close. */
class PreallocateAheadNodeTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private RequestThreads threads;

    @BeforeEach
    void start() {
        threads = new RequestThreads("prealloc-test", 4);
    }

    @AfterEach
    void stop() {
        threads.close();
    }

    private BlockNode openFile(Path p, boolean readOnly) throws BlockException {
        return new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null)
                .open(FileOptions.defaults(p, readOnly));
    }

    private Path emptyFile() throws IOException {
        return Files.write(dir.resolve("f.img"), new byte[0]);
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Bytes the file has allocated on disk (st_blocks * 512). */
    private static long allocatedBytes(Path p) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, proc.waitFor(), "stat failed");
        return Long.parseLong(out) * 512;
    }

    /** Counts the write-zeroes calls that reach the file and can refuse them. */
    private static final class ZeroCalls extends ForwardingBlockNode {
        final List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
        final Errno refuse;

        ZeroCalls(BlockNode file, Errno refuse) {
            super(file);
            this.refuse = refuse;
        }

        @Override
        public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
            calls.add(new long[] {offset, bytes, flags});
            if (refuse != null) {
                throw new BlockException(refuse, offset, "refused by the test");
            }
            super.writeZeroes(offset, bytes, flags);
        }
    }

    @Test
    void extendingWritesAllocateAStepAheadAndCloseGivesTheTailBack() throws Exception {
        Path p = emptyFile();
        byte[] a = pattern(65536, 1);
        byte[] b = pattern(65536, 2);
        PreallocateAheadNode node = new PreallocateAheadNode(openFile(p, false), MIB);
        node.write(0, a, 0, a.length);
        assertEquals(65536, node.length(), "the format sees the data end");
        assertEquals(2 * MIB, Files.size(p), "64K + one step, rounded up to the step");
        assertEquals(2 * MIB, node.allocatedEnd());
        assertTrue(allocatedBytes(p) >= 2 * MIB, "the step is really allocated");
        node.write(3 * MIB, b, 0, b.length);
        assertEquals(3 * MIB + 65536, node.length());
        assertEquals(5 * MIB, Files.size(p));
        byte[] back = new byte[65536];
        node.read(3 * MIB, back, 0, back.length);
        assertArrayEquals(b, back);
        node.close();

        assertEquals(3 * MIB + 65536, Files.size(p), "cropped to the end of the data");
        assertTrue(allocatedBytes(p) <= Files.size(p), "nothing stays allocated past the end");
        byte[] all = Files.readAllBytes(p);
        assertArrayEquals(a, java.util.Arrays.copyOfRange(all, 0, 65536));
        assertArrayEquals(b, java.util.Arrays.copyOfRange(all, (int) (3 * MIB), (int) (3 * MIB) + 65536));
        assertTrue(java.util.Arrays.equals(new byte[(int) (3 * MIB) - 65536],
                java.util.Arrays.copyOfRange(all, 65536, (int) (3 * MIB))), "the gap reads as zeroes");
    }

    @Test
    void writesInsideTheAllocatedEndDoNotAllocateAgain() throws Exception {
        Path p = emptyFile();
        ZeroCalls below = new ZeroCalls(openFile(p, false), null);
        try (PreallocateAheadNode node = new PreallocateAheadNode(below, MIB)) {
            byte[] chunk = pattern(65536, 3);
            for (int i = 0; i < 48; i++) { // 3 MiB in order
                node.write((long) i * 65536, chunk, 0, chunk.length);
            }
            assertEquals(2, below.calls.size(), "one allocation per step crossed");
            assertArrayEquals(new long[] {0, 2 * MIB, RequestFlags.NO_FALLBACK}, below.calls.get(0));
            assertArrayEquals(new long[] {2 * MIB, 2 * MIB, RequestFlags.NO_FALLBACK}, below.calls.get(1),
                    "the next step starts where the last ended: never written zeroes, never a gap");
            assertEquals(3 * MIB, node.length());
        }
        assertEquals(3 * MIB, Files.size(p));
    }

    @Test
    void aRefusedAllocationTurnsItOffAndTheWritesStillLand() throws Exception {
        Path p = emptyFile();
        ZeroCalls below = new ZeroCalls(openFile(p, false), Errno.ENOSPC);
        byte[] chunk = pattern(65536, 4);
        try (PreallocateAheadNode node = new PreallocateAheadNode(below, MIB)) {
            node.write(0, chunk, 0, chunk.length);
            node.write(4 * MIB, chunk, 0, chunk.length);
            assertEquals(1, below.calls.size(), "not retried after the first refusal");
            assertEquals(4 * MIB + 65536, node.length());
        }
        assertEquals(4 * MIB + 65536, Files.size(p));
        byte[] all = Files.readAllBytes(p);
        assertArrayEquals(chunk, java.util.Arrays.copyOfRange(all, (int) (4 * MIB), all.length));
    }

    @Test
    void truncateThroughTheNodeMovesTheDataEnd() throws Exception {
        Path p = emptyFile();
        byte[] chunk = pattern(262144, 5);
        try (PreallocateAheadNode node = new PreallocateAheadNode(openFile(p, false), MIB)) {
            node.write(0, chunk, 0, chunk.length);
            node.truncate(131072, true, PreallocMode.OFF);
            assertEquals(131072, node.length());
            assertEquals(131072, Files.size(p), "the tail went with the truncation");
            node.write(131072, chunk, 0, 4096);
            assertEquals(135168, node.length());
        }
        assertEquals(135168, Files.size(p));
    }

    @Test
    void concurrentExtendingWritesAllLandAndTheFileEndsAtTheLastByte() throws Exception {
        Path p = emptyFile();
        int blocks = 256; // 16 MiB of 64K blocks, written in a shuffled order from 8 threads
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(6));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (PreallocateAheadNode node = new PreallocateAheadNode(openFile(p, false), MIB)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i : order) {
                done.add(pool.submit(() -> {
                    byte[] b = pattern(65536, 100 + i);
                    node.write((long) i * 65536, b, 0, b.length);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals((long) blocks * 65536, node.length());
        } finally {
            pool.shutdown();
        }
        byte[] all = Files.readAllBytes(p);
        assertEquals((long) blocks * 65536, all.length);
        for (int i = 0; i < blocks; i++) {
            assertArrayEquals(pattern(65536, 100 + i), java.util.Arrays.copyOfRange(all, i * 65536, (i + 1) * 65536),
                    "block " + i);
        }
    }

    @Test
    void asyncWritesCountOnceTheyComplete() throws Exception {
        Path p = emptyFile();
        byte[] chunk = pattern(65536, 7);
        try (PreallocateAheadNode node = new PreallocateAheadNode(openFile(p, false), MIB)) {
            node.writeAsync(3 * MIB, IoVector.wrap(chunk, 0, chunk.length), 0).get();
            assertEquals(3 * MIB + 65536, node.length());
            node.writeZeroesAsync(5 * MIB, 65536, 0).get();
            assertEquals(5 * MIB + 65536, node.length());
        }
        assertEquals(5 * MIB + 65536, Files.size(p));
    }

    @Test
    void aReadOnlyFileIsNeverTouched() throws Exception {
        Path p = Files.write(dir.resolve("ro.img"), pattern(100_000, 8));
        BlockNode ro = openFile(p, true);
        ZeroCalls below = new ZeroCalls(ro, null);
        try (PreallocateAheadNode node = new PreallocateAheadNode(below, MIB)) {
            assertEquals(100_000, node.length());
            assertTrue(node.isReadOnly());
        }
        assertEquals(0, below.calls.size());
        assertEquals(100_000, Files.size(p));
    }
}
