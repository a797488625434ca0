package io.jqcow.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.image.Images;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw format node passes async requests to its file's async path (aio=native, O_DIRECT): they
 * complete on the linux-aio reaper, never on a request thread, the data is right, and the
 * probed-raw guard on block 0 still refuses a write that arrives asynchronously.
 */
class RawDriverAsyncTest {
    @TempDir
    Path dir;

    private BlockNode open(Path file, String format) throws BlockException {
        OpenOptions o = OpenOptions.readWrite(format).withCache(CacheMode.NONE).withAio(AioMode.NATIVE);
        return Images.open(file, o, w -> { });
    }

    @Test
    void randomWritesAndParallelReadsCompleteOnTheReaperWithTheRightData() throws Exception {
        Path file = dir.resolve("disk.raw");
        Files.write(file, new byte[4 << 20]);
        byte[] model = new byte[4 << 20];
        Random r = new Random(11);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (BlockNode node = open(file, "raw")) {
            for (int round = 0; round < 8; round++) {
                List<CompletableFuture<Void>> inflight = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    long off = (long) r.nextInt(1024) * 4096;
                    ByteBuffer b = AlignedBuffers.allocate(4096, 4096);
                    byte[] data = new byte[4096];
                    r.nextBytes(data);
                    b.put(0, data);
                    System.arraycopy(data, 0, model, (int) off, 4096);
                    inflight.add(node.writeAsync(off, IoVector.of(b), 0)
                            .whenComplete((v, e) -> threads.add(Thread.currentThread().getName())));
                    inflight.get(inflight.size() - 1).join(); // one at a time: a later write to the same block wins
                }
            }
            ByteBuffer all = AlignedBuffers.allocate(4 << 20, 4096);
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int i = 0; i < 1024; i++) {
                reads.add(node.readAsync((long) i * 4096, IoVector.of(all.slice(i * 4096, 4096)), 0)
                        .whenComplete((v, e) -> threads.add(Thread.currentThread().getName())));
            }
            reads.forEach(CompletableFuture::join);
            byte[] got = new byte[4 << 20];
            all.get(0, got);
            assertArrayEquals(model, got);
        }
        assertArrayEquals(model, Files.readAllBytes(file));
        assertTrue(threads.stream().noneMatch(t -> t.startsWith("jqcow-io")), "completed on request threads: " + threads);
        assertTrue(threads.stream().anyMatch(t -> t.startsWith("jqcow-aio-reap")), "no reaper completions: " + threads);
    }

    @Test
    void theProbedRawGuardStillHoldsForAsyncWrites() throws Exception {
        Path file = dir.resolve("probed.raw");
        Files.write(file, new byte[1 << 20]);
        byte[] before = Files.readAllBytes(file);
        try (BlockNode node = open(file, null)) {
            ByteBuffer b = AlignedBuffers.allocate(4096, 4096);
            b.put(0, (byte) 7);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> node.writeAsync(0, IoVector.of(b), 0).join());
            assertEquals(Errno.EPERM, assertInstanceOf(BlockException.class, e.getCause()).errno());
            node.writeAsync(4096, IoVector.of(b), 0).join(); // beyond block 0 is allowed
        }
        byte[] after = Files.readAllBytes(file);
        assertArrayEquals(java.util.Arrays.copyOf(before, 4096), java.util.Arrays.copyOf(after, 4096));
        assertEquals(7, after[4096]);
    }
}
