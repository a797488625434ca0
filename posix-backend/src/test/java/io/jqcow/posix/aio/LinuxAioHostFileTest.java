package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;
import com.google.common.util.concurrent.Uninterruptibles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** linux-aio against the real kernel on an O_DIRECT file in a temp directory. */
class LinuxAioHostFileTest {
    private static final int BLOCK = RandomWriteVerify.BLOCK;

    private static AioKernel realKernel() throws BlockException {
        return new LibcAioKernel(AioAbi.forArch(System.getProperty("os.arch")));
    }

    private static HostFile rawFile(Path dir, long size) throws BlockException {
        String path = dir.resolve("disk.img").toString();
        HostFile raw = TestFiles.hostFile(path, TestFiles.openDirect(path));
        raw.ftruncate(size);
        return raw;
    }

    @Test
    void queueDepth32RandomWritesReadBackIdentically(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 2048L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, LinuxAioContext.DEFAULT_MAX_BATCH)) {
            RandomWriteVerify.run(aio, raw.fd(), 2048, 1500, 42, true);
        }
    }

    /** EAGAIN and partial io_submit cannot be provoked from the kernel; a decorator injects them. */
    @Test
    void eagainAndPartialSubmitsLoseNothing(@TempDir Path dir) throws Exception {
        AioKernel real = realKernel();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger eagains = new AtomicInteger();
        AioKernel flaky = new AioKernel() {
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
                int c = calls.incrementAndGet();
                if (c % 3 == 1) {
                    eagains.incrementAndGet();
                    return -11;
                }
                // Take only the first half (at least one): the rest must be resubmitted.
                return real.submit(ctx, Math.max(1, n / 2), iocbpp);
            }

            @Override
            public long getEvents(long ctx, int min, int max, long events, long timeout) {
                return real.getEvents(ctx, min, max, events, timeout);
            }
        };
        HostFile raw = rawFile(dir, 512L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 8, flaky)) {
            RandomWriteVerify.run(aio, raw.fd(), 512, 400, 7, false);
        }
        assertTrue(eagains.get() > 0, "the fake kernel returned EAGAIN");
    }

    /** A context smaller than the queue depth: submitters must wait for completions, not fail. */
    @Test
    void moreRequestsThanContextSlotsWaitForRoom(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 256L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 3, 4, realKernel())) {
            RandomWriteVerify.run(aio, raw.fd(), 256, 200, 11, true);
        }
    }

    @Test
    void batchSizeZeroMeansDefaultAndNegativeIsEinval(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 64L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 0)) {
            RandomWriteVerify.run(aio, raw.fd(), 64, 64, 5, false);
        }
        BlockException e = assertThrows(BlockException.class, () -> LinuxAioHostFile.wrap(raw, -1));
        assertEquals(Errno.EINVAL, e.errno());
    }

    /**
     * close() while requests wait: the batch already inside io_submit must still complete (close
     * drains), later requests either complete or fail with EBADF, and close() returns.
     */
    @Test
    void closeDrainsWhatIsAlreadySubmitted(@TempDir Path dir) throws Exception {
        AioKernel real = realKernel();
        CountDownLatch inSubmit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger submits = new AtomicInteger();
        AioKernel gated = new AioKernel() {
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
                if (submits.getAndIncrement() == 0) {
                    inSubmit.countDown();
                    Uninterruptibles.awaitUninterruptibly(release);
                }
                return real.submit(ctx, n, iocbpp);
            }

            @Override
            public long getEvents(long ctx, int min, int max, long events, long timeout) {
                return real.getEvents(ctx, min, max, events, timeout);
            }
        };
        HostFile raw = rawFile(dir, 64L * BLOCK);
        LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 4, gated);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> writes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                long block = i;
                writes.add(pool.submit(() -> {
                    ByteBuffer b = AlignedBuffers.allocate(BLOCK, BLOCK);
                    RandomWriteVerify.pattern(b, block, 3);
                    return aio.pwritev(new ByteBuffer[] {b}, block * BLOCK);
                }));
            }
            inSubmit.await();
            Future<?> closing = pool.submit(() -> {
                aio.close();
                return null;
            });
            release.countDown();
            closing.get();
            int ok = 0;
            for (int i = 0; i < writes.size(); i++) {
                try {
                    assertEquals(BLOCK, writes.get(i).get());
                    ok++;
                    ByteBuffer want = AlignedBuffers.allocate(BLOCK, BLOCK);
                    RandomWriteVerify.pattern(want, i, 3);
                    ByteBuffer got = AlignedBuffers.allocate(BLOCK, BLOCK);
                    int fd = TestFiles.openDirect(raw.path());
                    try {
                        assertEquals(BLOCK, TestFiles.pread(fd, got, (long) i * BLOCK));
                    } finally {
                        TestFiles.hostFile(raw.path(), fd).close();
                    }
                    assertEquals(want, got, "block " + i);
                } catch (ExecutionException e) {
                    BlockException be = (BlockException) e.getCause();
                    assertEquals(Errno.EBADF, be.errno(), be.getMessage());
                }
            }
            assertTrue(ok >= 1, "the batch inside io_submit completed");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void readPastEndOfFileIsShortNotAnError(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 3L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 4)) {
            ByteBuffer w = AlignedBuffers.allocate(3 * BLOCK, BLOCK);
            RandomWriteVerify.pattern(w, 1, 1);
            assertEquals(3 * BLOCK, aio.pwritev(new ByteBuffer[] {w}, 0));
            ByteBuffer r = AlignedBuffers.allocate(4 * BLOCK, BLOCK);
            assertEquals(BLOCK, aio.preadv(new ByteBuffer[] {r}, 2L * BLOCK));
            assertEquals(w.slice(2 * BLOCK, BLOCK), r.slice(0, BLOCK));
            assertEquals(0, aio.preadv(new ByteBuffer[] {r}, 3L * BLOCK));
            assertEquals(0, r.position(), "buffer positions are left alone");
        }
    }

    @Test
    void kernelRejectionBecomesTheRequestsErrno(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, 4L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 4)) {
            ByteBuffer misaligned = AlignedBuffers.allocate(2 * BLOCK, BLOCK).slice(1, BLOCK);
            BlockException e = assertThrows(BlockException.class,
                    () -> aio.pwritev(new ByteBuffer[] {misaligned}, 0));
            assertEquals(Errno.EINVAL, e.errno(), "O_DIRECT rejects a misaligned buffer");
            // The context keeps working after a failed request.
            ByteBuffer ok = AlignedBuffers.allocate(BLOCK, BLOCK);
            RandomWriteVerify.pattern(ok, 9, 9);
            assertEquals(BLOCK, aio.pwritev(new ByteBuffer[] {ok}, BLOCK));
        }
    }

    @Test
    void badFileDescriptorIsRejectedAtSubmit() throws Exception {
        try (LinuxAioContext ctx = LinuxAioContext.open(realKernel(), 16, 4, "badfd")) {
            ByteBuffer b = AlignedBuffers.allocate(BLOCK, BLOCK);
            BlockException e = assertThrows(BlockException.class,
                    () -> ctx.submitAndWait(false, 1_000_000, new ByteBuffer[] {b}, 0));
            assertEquals(Errno.EBADF, e.errno());
        }
    }

    @Test
    void requestsAfterCloseFailWithEbadf() throws Exception {
        LinuxAioContext ctx = LinuxAioContext.open(realKernel(), 16, 4, "closed");
        ctx.close();
        ctx.close(); // idempotent
        ByteBuffer b = AlignedBuffers.allocate(BLOCK, BLOCK);
        BlockException e = assertThrows(BlockException.class,
                () -> ctx.submitAndWait(false, 0, new ByteBuffer[] {b}, 0));
        assertEquals(Errno.EBADF, e.errno());
    }

    /** io_getevents failing cannot be provoked either: every waiter and later request gets its errno. */
    @Test
    void failingGetEventsFailsRequestsInsteadOfHanging(@TempDir Path dir) throws Exception {
        AioKernel real = realKernel();
        AioKernel broken = new AioKernel() {
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
                return real.submit(ctx, n, iocbpp);
            }

            @Override
            public long getEvents(long ctx, int min, int max, long events, long timeout) {
                return -Errno.EFAULT.code;
            }
        };
        HostFile raw = rawFile(dir, 8L * BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 4, broken)) {
            ByteBuffer b = AlignedBuffers.allocate(BLOCK, BLOCK);
            for (int i = 0; i < 3; i++) {
                long off = (long) i * BLOCK;
                BlockException e = assertThrows(BlockException.class, () -> aio.pwritev(new ByteBuffer[] {b}, off));
                assertEquals(Errno.EFAULT, e.errno(), e.getMessage());
            }
        }
    }

    @Test
    void missingIoSetupIsEnotsup() {
        AioKernel noAio = new AioKernel() {
            @Override
            public long setup(int nrEvents, long ctxp) {
                return -Errno.ENOSYS.code;
            }

            @Override
            public long destroy(long ctx) {
                throw new AssertionError();
            }

            @Override
            public long submit(long ctx, int n, long iocbpp) {
                throw new AssertionError();
            }

            @Override
            public long getEvents(long ctx, int min, int max, long events, long timeout) {
                throw new AssertionError();
            }
        };
        HostFile unused = TestFiles.hostFile("/nonexistent", -1);
        BlockException e = assertThrows(BlockException.class, () -> LinuxAioHostFile.wrap(unused, 32, noAio));
        assertEquals(Errno.ENOTSUP, e.errno());
    }

    @Test
    void nonDirectBufferIsEinval(@TempDir Path dir) throws Exception {
        HostFile raw = rawFile(dir, BLOCK);
        try (LinuxAioHostFile aio = LinuxAioHostFile.wrap(raw, 4)) {
            BlockException e = assertThrows(BlockException.class,
                    () -> aio.preadv(new ByteBuffer[] {ByteBuffer.allocate(BLOCK)}, 0));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }
}
