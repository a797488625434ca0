package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** linux-aio's async calls: callbacks on the reaper, plugged batches, EAGAIN, close. */
class LinuxAioAsyncTest {
    private static final int BLOCK = RandomWriteVerify.BLOCK;

    /** One io_submit call as the kernel saw it. */
    record Submit(String thread, int n) {
    }

    /** Passes through to the real kernel, recording every io_submit; optionally EAGAIN and partial. */
    private static AioKernel recording(List<Submit> log, boolean flaky) throws BlockException {
        AioKernel real = new LibcAioKernel(AioAbi.forArch(System.getProperty("os.arch")));
        AtomicInteger calls = new AtomicInteger();
        return new AioKernel() {
            @Override
            public long setup(int nrEvents, long ctxp) {
                return real.setup(nrEvents, ctxp);
            }

            @Override
            public long destroy(long ctx) {
                return real.destroy(ctx);
            }

            @Override
            public long submit(long ctx, int n, long iocbpp) {
                log.add(new Submit(Thread.currentThread().getName(), n));
                if (flaky) {
                    if (calls.incrementAndGet() % 3 == 1) {
                        return -SubmissionQueue.EAGAIN;
                    }
                    return real.submit(ctx, Math.max(1, n / 2), iocbpp);
                }
                return real.submit(ctx, n, iocbpp);
            }

            @Override
            public long getEvents(long ctx, int min, int max, long events, long timeout) {
                return real.getEvents(ctx, min, max, events, timeout);
            }
        };
    }

    private static HostFile rawFile(Path dir, long size) throws BlockException {
        String path = dir.resolve("disk.img").toString();
        HostFile raw = TestFiles.hostFile(path, TestFiles.openDirect(path));
        raw.ftruncate(size);
        return raw;
    }

    private static ByteBuffer block(long index) {
        ByteBuffer b = AlignedBuffers.allocate(BLOCK, BLOCK);
        RandomWriteVerify.pattern(b, index, 99);
        return b;
    }

    private static void assertBlock(int fd, long index) {
        ByteBuffer got = AlignedBuffers.allocate(BLOCK, BLOCK);
        assertEquals(BLOCK, TestFiles.pread(fd, got, index * BLOCK));
        assertEquals(block(index), got, "block " + index);
    }

    @Test
    void submissionsFromReaperCallbacksGoOutInOneIoSubmit(@TempDir Path dir) throws Exception {
        List<Submit> log = Collections.synchronizedList(new ArrayList<>());
        HostFile raw = rawFile(dir, 64L * BLOCK);
        CountDownLatch all = new CountDownLatch(8);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger reaperCallbacks = new AtomicInteger();
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, LinuxAioContext.DEFAULT_MAX_BATCH, recording(log, false))) {
            aio.pwritevAsync(new ByteBuffer[] {block(0)}, 0, (n, failure) -> {
                if (failure != null) {
                    errors.add(failure.toString());
                }
                for (int i = 1; i <= 8; i++) {
                    try {
                        aio.pwritevAsync(new ByteBuffer[] {block(i)}, (long) i * BLOCK, (m, f) -> {
                            if (f != null) {
                                errors.add(f.toString());
                            }
                            if (Thread.currentThread().getName().startsWith("jqcow-aio-reap-")) {
                                reaperCallbacks.incrementAndGet();
                            }
                            all.countDown();
                        });
                    } catch (BlockException e) {
                        errors.add(e.toString());
                    }
                }
            });
            assertTrue(all.await(60, TimeUnit.SECONDS));
            for (int i = 0; i <= 8; i++) {
                assertBlock(raw.fd(), i); // closing the engine closes the fd: check before
            }
        }
        assertEquals(List.of(), errors);
        assertEquals(8, reaperCallbacks.get());
        assertTrue(log.stream().anyMatch(s -> s.thread().startsWith("jqcow-aio-reap-") && s.n() == 8),
                "the eight callback submissions should share one io_submit: " + log);
    }

    @Test
    void asyncChainsSurviveEagainAndPartialSubmits(@TempDir Path dir) throws Exception {
        List<Submit> log = Collections.synchronizedList(new ArrayList<>());
        int blocks = 512;
        HostFile raw = rawFile(dir, (long) blocks * BLOCK);
        CountDownLatch slots = new CountDownLatch(RandomWriteVerify.QUEUE_DEPTH);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 8, recording(log, true))) {
            for (int slot = 0; slot < RandomWriteVerify.QUEUE_DEPTH; slot++) {
                chain(aio, slot, blocks, slots, errors);
            }
            assertTrue(slots.await(60, TimeUnit.SECONDS));
            assertEquals(List.of(), errors);
            for (int i = 0; i < blocks; i++) {
                assertBlock(raw.fd(), i);
            }
        }
        assertTrue(log.stream().anyMatch(s -> s.thread().startsWith("jqcow-aio-reap-")),
                "the chains should have submitted from the reaper");
    }

    /** Writes blocks slot, slot + 32, ... one after another, each from the previous one's callback. */
    private static void chain(LinuxAioHostFile aio, long index, int blocks, CountDownLatch slots, List<String> errors) {
        if (index >= blocks) {
            slots.countDown();
            return;
        }
        try {
            aio.pwritevAsync(new ByteBuffer[] {block(index)}, index * BLOCK, (n, failure) -> {
                if (failure != null) {
                    errors.add(failure.toString());
                    slots.countDown();
                    return;
                }
                chain(aio, index + RandomWriteVerify.QUEUE_DEPTH, blocks, slots, errors);
            });
        } catch (BlockException e) {
            errors.add(e.toString());
            slots.countDown();
        }
    }

    @Test
    void closingFromACompletionCallbackDoesNotHang(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 16L * BLOCK);
        LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 0);
        CountDownLatch closed = new CountDownLatch(1);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        aio.pwritevAsync(new ByteBuffer[] {block(0)}, 0, (n, failure) -> {
            try {
                aio.close();
            } catch (BlockException e) {
                errors.add(e.toString());
            }
            closed.countDown();
        });
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> closed.await());
        assertEquals(List.of(), errors);
        BlockException e = assertThrows(BlockException.class,
                () -> aio.preadvAsync(new ByteBuffer[] {block(0)}, 0, (n, f) -> { }));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void asyncAfterCloseFailsAtOnceAndNeverCallsBack(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 16L * BLOCK);
        LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 0);
        aio.close();
        AtomicInteger called = new AtomicInteger();
        BlockException e = assertThrows(BlockException.class,
                () -> aio.preadvAsync(new ByteBuffer[] {block(0)}, 0, (n, f) -> called.incrementAndGet()));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals(0, called.get());
    }
}
