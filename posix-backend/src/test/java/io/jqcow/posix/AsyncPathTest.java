package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;
import io.jqcow.block.RequestThreads;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The async fast path end to end with aio=native and cache=none on real files and a 4K loop device:
 * plain aligned requests complete on the linux-aio reaper, everything else on the request threads,
 * and the data always matches a reference copy.
 */
class AsyncPathTest {
    private static final int BLOCK = AsyncPathWorkload.BLOCK;
    private static final String POOL = "async-path-io";

    @TempDir
    Path dir;
    private RequestThreads threads;

    @BeforeEach
    void start() {
        threads = new RequestThreads(POOL, 4);
    }

    @AfterEach
    void stop() {
        threads.close();
    }

    private BlockNode openNative(Path path) throws Exception {
        FileNodeOpener opener = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null);
        return opener.open(FileOptions.defaults(path, false).withAio(AioMode.NATIVE).withCache(CacheMode.NONE));
    }

    private Path randomFile(byte[] content) throws Exception {
        new Random(11).nextBytes(content);
        Path p = dir.resolve("disk.img");
        Files.write(p, content);
        return p;
    }

    /**
     * The thread that completed the request's future. A future that is already done when the
     * callback is attached runs it on the caller, which says nothing about the path taken, so the
     * request is issued again (it is idempotent in these tests) until one is still in flight.
     */
    private static String completionThread(java.util.function.Supplier<CompletableFuture<Void>> request)
            throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            AtomicReference<String> name = new AtomicReference<>();
            CompletableFuture<Void> f = request.get();
            boolean inFlight = !f.isDone();
            f.whenComplete((v, e) -> name.compareAndSet(null, Thread.currentThread().getName())).get(60, TimeUnit.SECONDS);
            if (inFlight && !name.get().equals(Thread.currentThread().getName())) {
                return name.get();
            }
        }
        return Thread.currentThread().getName(); // every attempt had finished before it could be observed
    }

    @Test
    void queueDepth32RandomReadsAndWritesCompleteOnTheReaperAndMatchTheReference() throws Exception {
        byte[] reference = new byte[16 << 20];
        Path p = randomFile(reference);
        try (BlockNode node = openNative(p)) {
            AsyncPathWorkload w = new AsyncPathWorkload(node, reference, 4000, POOL);
            assertEquals(List.of(), w.run(1));
            assertEquals(4000, w.completions.get());
            assertEquals(0, w.onRequestThreads.get(), "every plain 4K request should take the fast path");
            assertTrue(w.onReaper.get() > 0, "completions should come from the reaper");
            assertEquals(0, ((io.jqcow.block.RequestLayer) node).trackedRequests().inFlightCount());
        }
        assertArrayEquals(reference, Files.readAllBytes(p));
    }

    @Test
    void queueDepth32OnA4kLoopDevice() throws Exception {
        boolean root = TestSupport.isRoot() && TestSupport.hasExecutable("losetup");
        if (!root) {
            System.out.println("SKIP AsyncPathTest loop device: needs root and losetup");
        }
        assumeTrue(root, "needs root and losetup");
        Path backing = dir.resolve("loop-backing.img");
        byte[] reference = new byte[16 << 20];
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(reference.length);
        }
        TestSupport.Result r = TestSupport.run("losetup", "-b", "4096", "-f", "--show", backing.toString());
        if (r.exit() != 0) {
            System.out.println("SKIP AsyncPathTest loop device: losetup failed: " + r.output());
        }
        assumeTrue(r.exit() == 0, "losetup failed: " + r.output());
        Path device = Path.of(r.output().trim());
        try {
            try (BlockNode node = openNative(device)) {
                assertEquals(BLOCK, node.limits().requestAlignment());
                AsyncPathWorkload w = new AsyncPathWorkload(node, reference, 3000, POOL);
                assertEquals(List.of(), w.run(2));
                assertEquals(3000, w.completions.get());
                assertEquals(0, w.onRequestThreads.get(), "every plain 4K request should take the fast path");
                assertTrue(w.onReaper.get() > 0, "completions should come from the reaper");
                // A 512-byte write on the 4K device must read-modify-write on a request thread.
                byte[] small = new byte[512];
                Arrays.fill(small, (byte) 0x5a);
                String t = completionThread(() -> node.writeAsync(BLOCK + 512, IoVector.wrap(small), 0));
                assertTrue(t.startsWith(POOL), "unaligned write completed on " + t);
                System.arraycopy(small, 0, reference, BLOCK + 512, 512);
                byte[] back = new byte[512];
                t = completionThread(() -> node.readAsync(BLOCK + 512, IoVector.wrap(back), 0));
                assertTrue(t.startsWith(POOL), "unaligned read completed on " + t);
                assertArrayEquals(small, back);
            }
            assertArrayEquals(reference, Files.readAllBytes(backing));
        } finally {
            TestSupport.run("losetup", "-d", device.toString());
        }
    }

    @Test
    void fuaUnalignedAndBouncedRequestsTakeTheRequestThreads() throws Exception {
        byte[] reference = new byte[1 << 20];
        Path p = randomFile(reference);
        try (BlockNode node = openNative(p)) {
            int align = node.limits().requestAlignment();
            ByteBuffer direct = AlignedBuffers.allocate(BLOCK, BLOCK);
            new Random(3).ints(BLOCK / 4).forEach(direct::putInt);
            direct.flip();
            String t = completionThread(() -> node.writeAsync(2 * BLOCK, IoVector.of(direct.duplicate()), RequestFlags.FUA));
            assertTrue(t.startsWith(POOL), "FUA write (needs fdatasync) completed on " + t);
            direct.duplicate().get(reference, 2 * BLOCK, BLOCK);

            byte[] heap = new byte[BLOCK];
            new Random(4).nextBytes(heap);
            t = completionThread(() -> node.writeAsync(4 * BLOCK, IoVector.wrap(heap), 0));
            assertTrue(t.startsWith(POOL), "heap-buffer write (bounced) completed on " + t);
            System.arraycopy(heap, 0, reference, 4 * BLOCK, BLOCK);

            byte[] odd = new byte[align / 2 + 1];
            new Random(5).nextBytes(odd);
            t = completionThread(() -> node.writeAsync(6 * BLOCK + 1, IoVector.wrap(odd), 0));
            assertTrue(t.startsWith(POOL), "unaligned write completed on " + t);
            System.arraycopy(odd, 0, reference, 6 * BLOCK + 1, odd.length);

            ByteBuffer in = AlignedBuffers.allocate(BLOCK, BLOCK);
            t = completionThread(() -> node.readAsync(2 * BLOCK, IoVector.of(in.duplicate()), 0));
            assertTrue(t.startsWith(AsyncPathWorkload.REAPER_PREFIX), "plain read completed on " + t);
            byte[] got = new byte[BLOCK];
            in.duplicate().get(got);
            assertArrayEquals(Arrays.copyOfRange(reference, 2 * BLOCK, 3 * BLOCK), got);
        }
        assertArrayEquals(reference, Files.readAllBytes(p));
    }

    @Test
    void synchronousCallsFromACompletionOnTheReaperDoNotDeadlock() throws Exception {
        byte[] reference = new byte[1 << 20];
        Path p = randomFile(reference);
        try (BlockNode node = openNative(p)) {
            ByteBuffer first = AlignedBuffers.allocate(BLOCK, BLOCK);
            ByteBuffer second = AlignedBuffers.allocate(BLOCK, BLOCK);
            ByteBuffer written = AlignedBuffers.allocate(BLOCK, BLOCK);
            new Random(6).ints(BLOCK / 4).forEach(written::putInt);
            written.flip();
            // A read that finishes before thenRun is attached runs the callback here instead: retry
            // (with fresh offsets) until one ran on the reaper, which is the case under test.
            String thread = "";
            int i = 0;
            for (; i < 50 && !thread.startsWith(AsyncPathWorkload.REAPER_PREFIX); i++) {
                long other = (long) (8 + i) * BLOCK;
                AtomicReference<String> ran = new AtomicReference<>();
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> node.readAsync(0, IoVector.of(first.duplicate()), 0)
                        .thenRun(() -> {
                            ran.set(Thread.currentThread().getName());
                            try {
                                node.read(other, IoVector.of(second.duplicate()), 0);
                                node.write(100L * BLOCK, IoVector.of(written.duplicate()), 0);
                            } catch (io.jqcow.block.BlockException e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        }).get());
                thread = ran.get();
                byte[] got = new byte[BLOCK];
                second.duplicate().get(got);
                assertArrayEquals(Arrays.copyOfRange(reference, (int) other, (int) other + BLOCK), got);
            }
            assertTrue(thread.startsWith(AsyncPathWorkload.REAPER_PREFIX),
                    "no callback ran on the reaper in " + i + " tries: " + thread);
            written.duplicate().get(reference, 100 * BLOCK, BLOCK);
        }
        assertArrayEquals(reference, Files.readAllBytes(p));
        assertFalse(Thread.currentThread().getName().startsWith(AsyncPathWorkload.REAPER_PREFIX));
    }
}
