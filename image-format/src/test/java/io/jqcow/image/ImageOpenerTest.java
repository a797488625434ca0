package io.jqcow.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocateAheadNode;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format probing, the probed-raw guard, raw windows and backing-chain resolution. */
class ImageOpenerTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private ImageOpener opener() {
        return new ImageOpener(o -> new FileImageNode(o.path(), o.readOnly()), DriverNode::new, warnings::add);
    }

    @Test
    void probedRawWarnsAndGuardsBlockZero() throws Exception {
        Path raw = dir.resolve("disk.img");
        Files.write(raw, new byte[8192]);
        try (BlockNode n = opener().open(raw, OpenOptions.readWrite(null))) {
            assertEquals("raw", n.formatName());
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).startsWith("WARNING: Image format was not specified for '" + raw
                    + "' and probing guessed raw."), warnings.get(0));
            BlockException e = assertThrows(BlockException.class, () -> n.write(100, new byte[4], 0, 4));
            assertEquals(Errno.EPERM, e.errno());
            n.write(512, new byte[] {1, 2}, 0, 2);
        }
        assertEquals(1, Files.readAllBytes(raw)[512]);
    }

    @Test
    void explicitRawHasNoGuardAndReadOnlyProbeNoWarning() throws Exception {
        Path raw = dir.resolve("disk.img");
        Files.write(raw, new byte[8192]);
        try (BlockNode n = opener().open(raw, OpenOptions.readWrite("raw"))) {
            n.write(0, new byte[] {7}, 0, 1);
        }
        try (BlockNode n = opener().open(raw, OpenOptions.readOnly(null))) {
            byte[] b = new byte[1];
            n.read(0, b, 0, 1);
            assertEquals(7, b[0]);
        }
        assertTrue(warnings.isEmpty());
    }

    @Test
    void rawOffsetAndSizeWindow() throws Exception {
        Path raw = dir.resolve("disk.img");
        byte[] content = new byte[4096];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(raw, content);
        OpenOptions o = OpenOptions.readOnly("raw").withExtra(Map.of("offset", "1024", "size", "2048"));
        try (BlockNode n = opener().open(raw, o)) {
            assertEquals(2048, n.length());
            byte[] b = new byte[2048];
            n.read(0, b, 0, b.length);
            assertArrayEquals(Arrays.copyOfRange(content, 1024, 3072), b);
        }
        OpenOptions bad = OpenOptions.readOnly("raw").withExtra(Map.of("offset", "4000", "size", "2048"));
        assertThrows(BlockException.class, () -> opener().open(raw, bad));
    }

    @Test
    void probesQcow2AndResolvesRelativeBackingAgainstImageDirectory() throws Exception {
        Qemu.assumePresent();
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Qemu.img("create", "-q", "-f", "qcow2", sub.resolve("base.qcow2").toString(), "1M");
        Qemu.io(sub.resolve("base.qcow2"), "write -P 0x61 0 1M");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", sub.resolve("top.qcow2").toString());
        try (BlockNode n = opener().open(sub.resolve("top.qcow2"), OpenOptions.readOnly(null))) {
            assertEquals("qcow2", n.formatName());
            byte[] b = new byte[16];
            n.read(4000, b, 0, b.length);
            assertEquals(0x61, b[5]);
        }
        try (BlockNode n = opener().open(sub.resolve("top.qcow2"), OpenOptions.readOnly(null).withBacking(false))) {
            byte[] b = new byte[16];
            n.read(4000, b, 0, b.length);
            assertEquals(0, b[5], "without the backing chain unallocated clusters read as zero");
        }
    }

    @Test
    void backingCanBeOpenedWritableForCommit() throws Exception {
        Qemu.assumePresent();
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "1M");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top.toString());
        try (BlockNode n = opener().open(top, OpenOptions.readWrite("qcow2"))) {
            BlockNode backing = ((io.jqcow.qcow2.Qcow2Driver) n.driver()).backingNode();
            assertTrue(backing.isReadOnly());
        }
        OpenOptions rw = OpenOptions.readWrite("qcow2").withExtra(Map.of("backing.read-only", "off"));
        try (BlockNode n = opener().open(top, rw)) {
            BlockNode backing = ((io.jqcow.qcow2.Qcow2Driver) n.driver()).backingNode();
            backing.write(4096, new byte[] {4, 2}, 0, 2);
        }
        assertEquals(0, Qemu.check(base).exit());
        assertEquals(4, Qemu.rawContents(base)[4096]);
    }

    @Test
    void backingLoopIsRefused() throws Exception {
        Qemu.assumePresent();
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "1M");
        Qemu.img("rebase", "-u", "-b", "a.qcow2", "-F", "qcow2", a.toString());
        BlockException e = assertThrows(BlockException.class, () -> opener().open(a, OpenOptions.readOnly("qcow2")));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }

    @Test
    void missingBackingFileNamesIt() throws Exception {
        Qemu.assumePresent();
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-u", "-b", "gone.qcow2", "-F", "qcow2", a.toString(), "1M");
        BlockException e = assertThrows(BlockException.class, () -> new ImageOpener(o -> {
            if (!Files.exists(o.path())) {
                throw new BlockException(Errno.ENOENT, "No such file or directory");
            }
            return new FileImageNode(o.path(), o.readOnly());
        }, DriverNode::new, w -> { }).open(a, OpenOptions.readOnly("qcow2")));
        assertTrue(e.getMessage().contains("Could not open backing file"), e.getMessage());
        assertTrue(e.getMessage().contains("gone.qcow2"), e.getMessage());
    }

    @Test
    void preallocateAheadWrapsOnlyWritableFilesThatAskForIt() throws Exception {
        Path f = dir.resolve("f.img");
        Files.write(f, new byte[4096]);
        Map<String, String> ahead = Map.of(ImageOpener.PREALLOCATE_AHEAD, "1M");
        try (BlockNode rw = new FileImageNode(f, false); BlockNode ro = new FileImageNode(f, true)) {
            assertSame(rw, ImageOpener.preallocateAhead(rw, OpenOptions.readWrite("qcow2")), "off by default");
            assertSame(rw, ImageOpener.preallocateAhead(rw, OpenOptions.readWrite("qcow2")
                    .withExtra(Map.of(ImageOpener.PREALLOCATE_AHEAD, "off"))));
            assertSame(ro, ImageOpener.preallocateAhead(ro, OpenOptions.readOnly("qcow2").withExtra(ahead)),
                    "a read-only open never writes");
            assertTrue(ImageOpener.preallocateAhead(rw, OpenOptions.readWrite("qcow2").withExtra(ahead))
                    instanceof PreallocateAheadNode);
            BlockException e = assertThrows(BlockException.class, () -> ImageOpener.preallocateAhead(rw,
                    OpenOptions.readWrite("qcow2").withExtra(Map.of(ImageOpener.PREALLOCATE_AHEAD, "lots"))));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    private static final OpenOptions AHEAD_1M =
            OpenOptions.readWrite("qcow2").withExtra(Map.of(ImageOpener.PREALLOCATE_AHEAD, "1M"));

    /** An opener over in-memory file nodes that keeps each file node it opens in {@code files}. */
    private ImageOpener recordingOpener(List<BlockNode> files) {
        return new ImageOpener(o -> {
            BlockNode n = new FileImageNode(o.path(), o.readOnly());
            files.add(n);
            return n;
        }, DriverNode::new, warnings::add);
    }

    @Test
    void aQcow2OpenedWithPreallocateAheadEndsAtItsLastClusterOnceClosed() throws Exception {
        Qemu.assumePresent();
        Path q = dir.resolve("p.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", q.toString(), "8M");
        List<BlockNode> files = new ArrayList<>();
        ImageOpener opener = recordingOpener(files);
        byte[] data = new byte[3 * 65536];
        Arrays.fill(data, (byte) 0x5a);
        try (BlockNode n = opener.open(q, AHEAD_1M)) {
            n.write(65536, data, 0, data.length);
            assertTrue(files.get(0).length() >= 1 << 20, "a step allocated ahead: " + files.get(0).length());
        }
        Qemu.Result check = Qemu.run("qemu-img", "check", "--output=json", q.toString());
        assertEquals(0, check.exit(), check.out());
        assertTrue(check.out().contains("\"image-end-offset\": " + Files.size(q)), Files.size(q) + " " + check.out());
        assertArrayEquals(data, Arrays.copyOfRange(Qemu.rawContents(q), 65536, 65536 + data.length));
    }

    /** The crop comes at close; a crash before it leaves the preallocated tail, which qemu-img accepts. */
    @Test
    void aCrashBeforeTheCropLeavesAnImageQemuImgCallsClean() throws Exception {
        Qemu.assumePresent();
        Path q = dir.resolve("crash.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", q.toString(), "8M");
        List<BlockNode> files = new ArrayList<>();
        ImageOpener opener = recordingOpener(files);
        byte[] data = new byte[2 * 65536];
        Arrays.fill(data, (byte) 0x33);
        BlockNode n = opener.open(q, AHEAD_1M);
        n.write(0, data, 0, data.length);
        n.flush(); // what a crash after the copy's last flush leaves: metadata durable, no crop
        ((FileImageNode) files.get(0)).save();
        long withTail = Files.size(q);
        Qemu.Result check = Qemu.run("qemu-img", "check", "--output=json", q.toString());
        assertEquals(0, check.exit(), check.out());
        assertTrue(!check.out().contains("\"image-end-offset\": " + withTail), "the tail is there: " + check.out());
        assertTrue(!check.out().contains("leaks") && !check.out().contains("corruptions"), check.out());
        assertArrayEquals(data, Arrays.copyOfRange(Qemu.rawContents(q), 0, data.length));
        n.close();
        assertTrue(Files.size(q) < withTail, "closing crops it");
    }
}
