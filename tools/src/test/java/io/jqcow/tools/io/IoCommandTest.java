package io.jqcow.tools.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.Limits;
import io.jqcow.block.RequestFlags;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.tools.testing.CliRun;
import io.jqcow.tools.testing.MemoryNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** jqcow io over an in-memory node: exact output lines, exit status, option mapping. */
class IoCommandTest {

    private static CliRun io(MemoryNode node, String... commands) {
        List<String> args = new ArrayList<>(List.of("io", "-f", "raw"));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        args.add("disk.img");
        return CliRun.run(node, args.toArray(new String[0]));
    }

    @Test
    void writeThenVerifiedReadPrintsQemuIoLines() {
        MemoryNode node = new MemoryNode(64 * 1024);
        CliRun r = io(node, "write -P 0xab 512 512", "read -P 0xab 512 512");
        assertEquals("wrote 512/512 bytes at offset 512\n512 bytes, 1 ops; TIME\n"
                + "read 512/512 bytes at offset 512\n512 bytes, 1 ops; TIME\n", r.outWithoutTiming());
        assertEquals(0, r.exitCode());
        assertEquals("", r.err());
        byte[] c = node.contents();
        assertEquals((byte) 0xab, c[512]);
        assertEquals((byte) 0xab, c[1023]);
        assertEquals(0, c[511]);
        assertEquals(0, c[1024]);
        assertTrue(node.isClosed(), "the node is closed at the end");
    }

    @Test
    void timingLineHasQemuIoShape() {
        CliRun r = io(new MemoryNode(4096), "read 0 1536");
        String[] lines = r.out().split("\n");
        assertEquals("read 1536/1536 bytes at offset 0", lines[0]);
        assertTrue(lines[1].matches("1\\.500 KiB, 1 ops; \\d\\d\\.\\d\\d sec \\(\\S+ \\S+/sec and \\d+\\.\\d{4} ops/sec\\)"),
                lines[1]);
    }

    @Test
    void machineReadableStatisticsReplaceBothReportLines() {
        CliRun r = io(new MemoryNode(4096), "read -C 0 1536", "write -C -q 0 1", "discard -C 0 512");
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches("1536,1,\\d+:\\d\\d:\\d\\d\\.\\d\\d,\\d+\\.\\d{3},\\d+\\.\\d{3}"), lines[0]);
        assertTrue(lines[1].startsWith("512,1,"), lines[1]);
    }

    @Test
    void patternMismatchFailsTheRunButStillReports() {
        CliRun r = io(new MemoryNode(4096), "read -P 0xcd 512 512", "length");
        assertEquals("Pattern verification failed at offset 512, 512 bytes\n"
                + "read 512/512 bytes at offset 512\n512 bytes, 1 ops; TIME\n4 KiB\n", r.outWithoutTiming());
        assertEquals(1, r.exitCode());
    }

    @Test
    void partialPatternRangeNamesItsOwnOffsetAndLength() {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = io(node, "write -q -P 1 0 100", "read -q -P 1 -s 90 -l 20 0 200", "read -q -P 1 -s 10 -l 80 0 200");
        assertEquals("Pattern verification failed at offset 90, 20 bytes\n", r.out());
        assertEquals(1, r.exitCode());
    }

    @Test
    void quietSuppressesReportAndDump() {
        CliRun r = io(new MemoryNode(4096), "read -q -v 0 16", "write -q 0 1", "discard -q 0 1", "writev -q 0 1 1");
        assertEquals("", r.out());
        assertEquals(0, r.exitCode());
    }

    @Test
    void verboseDumpShowsLettersAndDigitsOnly() {
        byte[] data = new byte[64];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x2e + i);
        }
        CliRun r = io(new MemoryNode(data, false), "read -v 3 20");
        assertEquals("00000003:  31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f 40  123456789.......\n"
                + "00000013:  41 42 43 44  ABCD\n"
                + "read 20/20 bytes at offset 3\n20 bytes, 1 ops; TIME\n", r.outWithoutTiming());
    }

    @Test
    void readvUsesOneAlignedBufferPerLength() {
        MemoryNode node = new MemoryNode(8192);
        CliRun r = io(node, "readv 512 100 512 7");
        assertEquals("read 619/619 bytes at offset 512\n619 bytes, 1 ops; TIME\n", r.outWithoutTiming());
        assertEquals(3, node.lastVector().segmentCount());
        assertEquals(List.of(100, 512, 7), Arrays.stream(node.lastVector().segments()).map(b -> b.remaining()).toList());
        assertTrue(node.lastVector().isAligned(IoSession.BUFFER_ALIGNMENT, 1), "segments are 512-aligned");
    }

    @Test
    void buffersFollowTheNodesPreferredAlignment() {
        MemoryNode node = new MemoryNode(new byte[65536], false, new Limits(512, 4096, 8192, 0, 0, 0));
        io(node, "readv 0 100 512 7");
        assertTrue(node.lastVector().isAligned(8192, 1), "segments follow optMemAlignment");
        io(node, "write 0 3");
        assertTrue(node.lastVector().isAligned(8192, 1));
    }

    @Test
    void writevFillsEveryBufferWithThePattern() {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = io(node, "writev 10 3 4", "writev -P 0x7 100 2 2");
        assertEquals("wrote 7/7 bytes at offset 10\n7 bytes, 1 ops; TIME\nwrote 4/4 bytes at offset 100\n"
                + "4 bytes, 1 ops; TIME\n", r.outWithoutTiming());
        byte[] c = node.contents();
        for (int i = 10; i < 17; i++) {
            assertEquals((byte) 0xcd, c[i]);
        }
        assertEquals(0, c[17]);
        assertEquals(7, c[103]);
        assertEquals(0, c[104]);
    }

    @Test
    void writeFlagsReachTheNode() {
        MemoryNode node = new MemoryNode(4096);
        io(node, "write -f 0 512");
        assertEquals(RequestFlags.FUA, node.lastWriteFlags());
        io(node, "write -z -u 0 512");
        assertEquals(RequestFlags.MAY_UNMAP, node.lastWriteFlags());
        assertEquals(1, node.zeroWrites.get());
        io(node, "write -z -n -f 0 512");
        assertEquals(RequestFlags.NO_FALLBACK | RequestFlags.FUA, node.lastWriteFlags());
    }

    @Test
    void requestsOutsideTheDeviceFailWithEio() {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = io(node, "read 4000 100", "write 4096 1", "discard 0 5000", "read 4096 0");
        assertEquals("read failed: Input/output error\nwrite failed: Input/output error\n"
                + "discard failed: Input/output error\nread 0/0 bytes at offset 4096\n0 bytes, 1 ops; TIME\n",
                r.outWithoutTiming());
        assertEquals(1, r.exitCode());
        assertEquals(4096, node.contents().length, "nothing grew the node");
    }

    @Test
    void nodeErrorsArePrintedWithTheirErrnoText() {
        MemoryNode node = new MemoryNode(4096);
        node.failRange(1024, 1);
        CliRun r = io(node, "read 1000 100", "writev 1000 10 20");
        assertEquals("read failed: Input/output error\nwritev failed: Input/output error\n", r.out());
        assertEquals(1, r.exitCode());
    }

    @Test
    void readOnlyNodeRefusesChangingCommands() {
        MemoryNode node = new MemoryNode(new byte[4096], true);
        CliRun r = io(node, "write 0 1", "discard 0 1", "truncate 1", "aio_write 0 1", "read -q 0 1");
        assertEquals("jqcow: Block node is read-only\n".repeat(4), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.exitCode());
    }

    @Test
    void argumentErrorsGoWhereQemuIoPutsThem() {
        CliRun r = io(new MemoryNode(4096), "read 0", "read -x 0 1", "bogus", "read abc 1", "read 0 3G", "sleep x");
        assertEquals("bad argument count 1 to read, expected at least 2 arguments\n"
                + "read: invalid option -- 'x'\ncommand \"bogus\" not found\n", r.err());
        assertEquals(new ReadOp().usage() + "\n"
                + "Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- abc\n"
                + "length cannot exceed 2147483136, given 3G\nx is not a valid number\n", r.out());
        assertEquals(1, r.exitCode());
    }

    @Test
    void helpListsEveryCommandAndOneOnRequest() {
        CliRun r = io(new MemoryNode(512), "help", "help readv", "help bogus");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains(new ReadOp().usage()), r.out());
        assertTrue(lines.contains(new AioFlushOp().usage()), r.out());
        assertEquals(new ReadvOp().usage(), lines.get(lines.size() - 2));
        assertEquals("command bogus not found", lines.get(lines.size() - 1));
        assertEquals(1, r.exitCode());
    }

    /** The layout of a qcow2 overlay whose qemu-io alloc/map output was captured from qemu-io 7.2. */
    private static MemoryNode overlayLikeNode() {
        MemoryNode node = new MemoryNode(1024 * 1024);
        node.markUnallocated(0, 128 * 1024);
        node.markUnallocated(192 * 1024, 320 * 1024);
        node.markUnallocated(576 * 1024, 448 * 1024);
        return node;
    }

    @Test
    void mapPrintsMergedRunsLikeQemuIo() {
        CliRun r = io(overlayLikeNode(), "map");
        assertEquals("128 KiB (0x20000) bytes not allocated at offset 0 bytes (0x0)\n"
                + "64 KiB (0x10000) bytes     allocated at offset 128 KiB (0x20000)\n"
                + "320 KiB (0x50000) bytes not allocated at offset 192 KiB (0x30000)\n"
                + "64 KiB (0x10000) bytes     allocated at offset 512 KiB (0x80000)\n"
                + "448 KiB (0x70000) bytes not allocated at offset 576 KiB (0x90000)\n", r.out());
        assertEquals(0, r.exitCode());
    }

    @Test
    void allocCountsAllocatedBytesAndClipsAtTheEnd() {
        CliRun r = io(overlayLikeNode(), "alloc 0 1M", "alloc 128k 64k", "alloc 0", "alloc 100k 100k", "alloc 1M",
                "alloc 2M 1", "alloc 0 0", "alloc 1 1", "alloc 0 3G", "alloc 512k 1", "alloc 1020k 8k", "alloc x");
        assertEquals("131072/1048576 bytes allocated at offset 0 bytes\n"
                + "65536/65536 bytes allocated at offset 128 KiB\n"
                + "0/512 bytes allocated at offset 0 bytes\n"
                + "65536/102400 bytes allocated at offset 100 KiB\n"
                + "0/0 bytes allocated at offset 1 MiB\n"
                + "0/0 bytes allocated at offset 2 MiB\n"
                + "0/0 bytes allocated at offset 0 bytes\n"
                + "0/1 bytes allocated at offset 1 bytes\n"
                + "131072/1048576 bytes allocated at offset 0 bytes\n"
                + "1/1 bytes allocated at offset 512 KiB\n"
                + "0/4096 bytes allocated at offset 1020 KiB\n"
                + "Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- x\n", r.out());
        assertEquals(1, r.exitCode());
    }

    @Test
    void lengthAndTruncate() {
        MemoryNode node = new MemoryNode(65536);
        CliRun r = io(node, "length", "truncate 1536", "length", "truncate 3M", "length");
        assertEquals("64 KiB\n1.500 KiB\n3 MiB\n", r.out());
        assertEquals(0, r.exitCode());
    }

    @Test
    void aioRequestsAllCompleteAndAioFlushFlushes() {
        MemoryNode node = new MemoryNode(64 * 1024);
        List<String> script = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            script.add("aio_write -P " + (i + 1) + " " + i * 4096 + " 4096");
        }
        script.add("aio_flush");
        script.add("aio_read -P 3 8k 4k");
        script.add("aio_read -P 9 8k 4k");
        CliRun r = io(node, script.toArray(new String[0]));
        List<String> lines = Arrays.stream(r.outWithoutTiming().split("\n")).sorted().toList();
        long wrote = lines.stream().filter(l -> l.startsWith("wrote 4096/4096 bytes at offset ")).count();
        assertEquals(16, wrote);
        assertTrue(lines.contains("Pattern verification failed at offset 8192, 4096 bytes"), r.out());
        assertEquals(2, lines.stream().filter(l -> l.equals("read 4096/4096 bytes at offset 8192")).count());
        assertEquals(0, r.exitCode(), "aio failures do not fail the run, as in qemu-io");
        assertEquals(1, node.flushes.get());
        byte[] c = node.contents();
        for (int i = 0; i < 16; i++) {
            assertEquals((byte) (i + 1), c[i * 4096]);
            assertEquals((byte) (i + 1), c[i * 4096 + 4095]);
        }
        assertTrue(node.maxInFlight() >= 1);
    }

    @Test
    void aioFailureIsReportedOnCompletion() {
        MemoryNode node = new MemoryNode(4096);
        node.failRange(0, 1);
        CliRun r = io(node, "aio_read 0 512", "aio_flush", "aio_write 0 1", "aio_flush");
        assertEquals("readv failed: Input/output error\naio_write failed: Input/output error\n", r.out());
        assertEquals(0, r.exitCode());
    }

    @Test
    void commandsComeFromStdinWithoutDashC() {
        MemoryNode node = new MemoryNode(4096);
        CliRun r = CliRun.runWithStdin(node, "write -q -P 5 0 8\nread -P 5 0 8\nquit\nread 0 1\n", "io", "disk.img");
        assertEquals("jqcow> jqcow> read 8/8 bytes at offset 0\n8 bytes, 1 ops; TIME\njqcow> ", r.outWithoutTiming());
        assertEquals(0, r.exitCode());
    }

    @Test
    void openOptionsFollowTheFlags() {
        MemoryNode node = new MemoryNode(new byte[512], true);
        OpenOptions o = CliRun.run(node, "io", "-n", "-i", "native", "-U", "-r", "-f", "qcow2", "-c", "length", "x.qcow2")
                .opens().get(0).options();
        assertEquals(CacheMode.NONE, o.cache());
        assertEquals(AioMode.NATIVE, o.aio());
        assertTrue(o.forceShare());
        assertTrue(o.readOnly());
        assertEquals("qcow2", o.format());
        CliRun r = CliRun.run(node, "io", "-t", "directsync", "-i", "io_uring", "-c", "length", "y.img");
        OpenOptions p = r.opens().get(0).options();
        assertEquals(CacheMode.DIRECTSYNC, p.cache());
        assertEquals(AioMode.IO_URING, p.aio());
        assertFalse(p.readOnly());
        assertEquals(null, p.format());
        assertEquals(Path.of("y.img"), r.opens().get(0).path());
        assertEquals(CacheMode.WRITEBACK, CliRun.run(node, "io", "-c", "length", "z").opens().get(0).options().cache());
    }

    @Test
    void discardModeIsPassedAsOpenOption() {
        MemoryNode node = new MemoryNode(512);
        assertEquals("unmap", CliRun.run(node, "io", "-d", "on", "-c", "length", "f").opens().get(0).options()
                .extra().get("discard"));
        assertEquals("ignore", CliRun.run(node, "io", "--discard=ignore", "-c", "length", "f").opens().get(0)
                .options().extra().get("discard"));
        assertFalse(CliRun.run(node, "io", "-c", "length", "f").opens().get(0).options().extra().containsKey("discard"));
        CliRun bad = CliRun.run(node, "io", "-d", "bogus", "-c", "length", "f");
        assertEquals("jqcow: Invalid discard option: bogus\n", bad.err());
        assertEquals(1, bad.exitCode());
    }

    @Test
    void badOpenCombinationsFailBeforeOpening() {
        MemoryNode node = new MemoryNode(512);
        CliRun r = CliRun.run(node, "io", "-U", "-c", "length", "a.img");
        assertEquals("jqcow: can't open device a.img: force-share=on can only be used with read-only images\n", r.err());
        assertEquals(1, r.exitCode());
        assertTrue(r.opens().isEmpty());
        r = CliRun.run(node, "io", "-i", "native", "-c", "length", "a.img");
        assertEquals("jqcow: can't open device a.img: aio=native was specified, but it requires cache.direct=on, "
                + "which was not specified.\n", r.err());
        r = CliRun.run(node, "io", "-t", "bogus", "-c", "length", "a.img");
        assertEquals("jqcow: Invalid cache option: bogus\n", r.err());
        assertEquals(1, r.exitCode());
        r = CliRun.run(node, "io", "-i", "bogus", "-c", "length", "a.img");
        assertEquals("jqcow: Invalid aio option: bogus\n", r.err());
    }

    @Test
    void openFailureIsOneLine() {
        CliRun r = CliRun.runWith((p, o) -> {
            throw new BlockException(Errno.ENOENT, "Could not open 'nope': No such file or directory");
        }, "", new ArrayList<>(), "io", "-c", "length", "nope");
        assertEquals("jqcow: can't open device nope: Could not open 'nope': No such file or directory\n", r.err());
        assertEquals("", r.out());
        assertEquals(1, r.exitCode());
    }
}
