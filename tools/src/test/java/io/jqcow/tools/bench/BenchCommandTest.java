package io.jqcow.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.IoVector;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.testing.CliRun;
import io.jqcow.tools.testing.MemoryNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchCommandTest {

    private static CliRun bench(MemoryNode node, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "disk.img";
        return CliRun.run(node, all);
    }

    @Test
    void readTestPrintsHeaderAndCompletion() {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = bench(node, "-c", "10");
        assertEquals("Sending 10 read requests, 4096 bytes each, 64 in parallel (starting at offset 0, step size 4096)\n"
                + "Run completed in TIME seconds.\n", r.outWithoutTiming());
        assertEquals(0, r.exitCode());
        assertEquals(10, node.reads.get());
        OpenOptions o = r.opens().get(0).options();
        assertTrue(o.readOnly(), "a read test opens read-only");
        assertEquals(CacheMode.WRITEBACK, o.cache());
    }

    @Test
    void writeTestWritesThePatternAndAnnouncesFlushes() {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = bench(node, "-w", "-c", "8", "-d", "2", "-s", "1k", "-o", "1k", "-S", "2k", "--pattern", "0x12",
                "--flush-interval", "2");
        assertEquals("Sending 8 write requests, 1024 bytes each, 2 in parallel (starting at offset 1024, step size 2048)\n"
                + "Sending flush every 2 requests\nRun completed in TIME seconds.\n", r.outWithoutTiming());
        assertFalse(r.opens().get(0).options().readOnly());
        byte[] c = node.contents();
        for (int i = 0; i < 8; i++) {
            int at = 1024 + i * 2048;
            assertEquals(0x12, c[at]);
            assertEquals(0x12, c[at + 1023]);
            assertEquals(0, c[at + 1024]);
        }
        assertEquals(0, c[0]);
        assertEquals(3, node.flushes.get(), "flush whenever 6, 4 and 2 requests remain");
    }

    @Test
    void noDrainStillFlushes() {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = bench(node, "-w", "-c", "12", "-d", "3", "--flush-interval", "4", "--no-drain");
        assertEquals(0, r.exitCode());
        assertEquals(2, node.flushes.get());
        assertEquals(12, node.writes.get());
    }

    @ParameterizedTest(name = "-o {0} -S {1} -s {2} -c {3}")
    @CsvSource({"61440,6144,1024,3,61440 2048 8192", "0,204800,1024,2,0 8192", "0,24576,1024,4,0 24576 49152 8192",
        "60k,0,4k,3,61440 0 4096"})
    void offsetsStepAndWrapModuloTheImageLength(String offset, String step, String size, String count, String expected) {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = bench(node, "-d", "1", "-o", offset, "-S", step, "-s", size, "-c", count);
        assertEquals(0, r.exitCode(), r.err());
        List<Long> want = java.util.Arrays.stream(expected.split(" ")).map(Long::valueOf).toList();
        assertEquals(want, node.readOffsets());
    }

    @Test
    void requestPastTheEndFails() {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = bench(node, "-d", "1", "-o", "61k", "-S", "1k", "-s", "2k", "-c", "3");
        assertEquals("Sending 3 read requests, 2048 bytes each, 1 in parallel (starting at offset 62464, step size 1024)\n",
                r.out());
        assertEquals("jqcow: Failed request: Input/output error\n", r.err());
        assertEquals(1, r.exitCode());
        assertEquals(List.of(62464L, 63488L), node.readOffsets());
    }

    @Test
    void nodeFailureStopsTheRun() {
        MemoryNode node = new MemoryNode(64 * 1024);
        node.failRange(8192, 1);
        CliRun r = bench(node, "-c", "100", "-d", "1");
        assertEquals("jqcow: Failed request: Input/output error\n", r.err());
        assertEquals(1, r.exitCode());
        assertTrue(node.reads.get() <= 3, "no requests after the failure: " + node.reads.get());
    }

    @Test
    void keepsDepthRequestsInFlight() {
        CountDownLatch allFour = new CountDownLatch(4);
        MemoryNode node = new MemoryNode(64 * 1024) {
            @Override
            protected void beforeAsync() throws BlockException {
                allFour.countDown();
                try {
                    // The first four requests only finish once all four are running at once.
                    allFour.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        CliRun r = bench(node, "-c", "16", "-d", "4");
        assertEquals(0, r.exitCode());
        assertEquals(4, node.maxInFlight(), "exactly depth requests in flight at most");
        assertEquals(0, allFour.getCount(), "four requests were in flight together");
    }

    /** A node whose futures are done on return: the runner must loop, not recurse per request. */
    @Test
    void requestsThatCompleteAtOnceNeitherRecurseNorReorder() {
        MemoryNode node = new MemoryNode(64 * 1024) {
            @Override
            public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
                try {
                    read(offset, qiov, flags);
                    return CompletableFuture.completedFuture(null);
                } catch (BlockException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
        };
        int count = 50_000;
        CliRun r = bench(node, "-c", String.valueOf(count), "-d", "4", "-s", "512", "-S", "512");
        assertEquals(0, r.exitCode(), r.err());
        List<Long> offsets = node.readOffsets();
        assertEquals(count, offsets.size());
        for (int i = 0; i < count; i++) {
            assertEquals((512L * i) % (64 * 1024), offsets.get(i), "request " + i);
        }
    }

    /** With draining flushes (the default), no write may be running while a flush runs. */
    @Test
    void drainingFlushesRunWithNothingInFlight() {
        AtomicInteger writesRunning = new AtomicInteger();
        AtomicInteger busyFlushes = new AtomicInteger();
        AtomicInteger writesBeforeFlushes = new AtomicInteger();
        MemoryNode node = new MemoryNode(64 * 1024) {
            @Override
            public void write(long offset, IoVector qiov, int flags) throws BlockException {
                writesRunning.incrementAndGet();
                try {
                    super.write(offset, qiov, flags);
                } finally {
                    writesRunning.decrementAndGet();
                }
            }

            @Override
            public void flush() {
                if (writesRunning.get() != 0) {
                    busyFlushes.incrementAndGet();
                }
                writesBeforeFlushes.addAndGet(writes.get());
                super.flush();
            }
        };
        CliRun r = bench(node, "-w", "-c", "64", "-d", "8", "-s", "512", "--flush-interval", "16");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(64, node.writes.get());
        assertEquals(3, node.flushes.get(), "flush whenever 48, 32 and 16 requests remain");
        assertEquals(0, busyFlushes.get(), "flushes waited for the writes before them");
        assertEquals(16 + 32 + 48, writesBeforeFlushes.get(), "each flush came after exactly its writes");
    }

    @Test
    void openFlagsMapToOptions() {
        MemoryNode node = new MemoryNode(4096);
        OpenOptions o = bench(node, "-c", "1", "-n", "-t", "none", "-U", "-f", "raw").opens().get(0).options();
        assertEquals(AioMode.NATIVE, o.aio());
        assertEquals(CacheMode.NONE, o.cache());
        assertTrue(o.forceShare());
        assertEquals("raw", o.format());
        assertEquals(AioMode.IO_URING, bench(node, "-c", "1", "-i", "io_uring").opens().get(0).options().aio());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-c x|jqcow: Invalid request count specified",
        "-c -1|jqcow: Invalid request count specified",
        "-c 99999999999|jqcow: Invalid request count specified",
        "-d 0|jqcow: Invalid queue depth specified",
        "-d 1k|jqcow: Invalid queue depth specified",
        "-s 1x|jqcow: Invalid buffer size specified. You may use k, M, G, T, P or E suffixes for\\n"
            + "jqcow: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.",
        "-s 3G|jqcow: Invalid buffer size specified. Must be between 0 and 2147483647.",
        "-o x|jqcow: Invalid offset specified. You may use k, M, G, T, P or E suffixes for\\n"
            + "jqcow: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.",
        "-S -1|jqcow: Invalid step_size specified. You may use k, M, G, T, P or E suffixes for\\n"
            + "jqcow: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.",
        "-w --pattern 300|jqcow: Invalid pattern byte specified",
        "-w --flush-interval x|jqcow: Invalid flush interval specified",
        "--flush-interval 64|jqcow: --flush-interval is only available in write tests",
        "-w -d 4 --flush-interval 2|jqcow: Flush interval can't be smaller than depth",
        "-t bogus|jqcow: Invalid cache mode",
        "-i bogus|jqcow: Invalid aio option: bogus",
        "-i native|jqcow: Could not open 'disk.img': aio=native was specified, but it requires cache.direct=on, "
            + "which was not specified.",
        "-w -U|jqcow: Could not open 'disk.img': force-share=on can only be used with read-only images",
        "-x|jqcow: unrecognized option '-x'\\nTry 'jqcow --help' for more information"})
    void badArgumentsGiveQemuImgMessagesAndExit1(String args, String expected) {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = bench(node, args.split(" "));
        assertEquals(expected.replace("\\n", "\n") + "\n", r.err());
        assertEquals("", r.out());
        assertEquals(1, r.exitCode());
        assertTrue(r.opens().isEmpty(), "nothing opened");
    }

    @Test
    void exactlyOneFileName() {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = CliRun.run(node, "bench", "a", "b");
        assertEquals("jqcow: Expecting one image file name\n", r.err());
        assertEquals(1, r.exitCode());
        assertEquals(1, CliRun.run(node, "bench").exitCode());
    }
}
