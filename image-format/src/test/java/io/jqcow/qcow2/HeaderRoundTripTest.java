package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header and extension records survive encode/parse, and a header rewrite keeps what it does not know. */
class HeaderRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void encodeThenParseGivesTheSameRecords() throws Exception {
        Qcow2Header h = new Qcow2Header(3, 0, 0, 16, 1 << 30, 0, 4, 0x30000, 0x10000, 1, 0, 0,
                Qcow2Header.INCOMPAT_EXTL2, Qcow2Header.COMPAT_LAZY_REFCOUNTS | (1L << 7), 0, 4, 112, 0, new byte[0]);
        HeaderExtensions ext = new HeaderExtensions("raw", null, List.of(), null, null,
                List.of(new HeaderExtension(0x12345678, "hello".getBytes(StandardCharsets.UTF_8))));
        HeaderCodec.Encoded enc = HeaderCodec.encode(h, ext, "base.img");
        Qcow2Header back = Qcow2Header.parse(enc.cluster());
        assertEquals(enc.header(), back);
        HeaderValidator.Validated v = HeaderValidator.validate(back, enc.cluster(), true, false);
        assertEquals("base.img", v.backingName());
        assertEquals("raw", v.extensions().backingFormat());
        assertEquals(1, v.extensions().unknown().size());
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), v.extensions().unknown().get(0).data());
        assertEquals("extended L2 entries", v.extensions().featureName(FeatureName.INCOMPATIBLE, 4));
        assertNull(v.extensions().dataFile());
    }

    @Test
    void headerRewriteKeepsUnknownExtensionsBitsAndBytes() throws Exception {
        Qemu.assumePresent();
        Path img = dir.resolve("u.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M");
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        // Grow the header to 120 bytes (8 unknown bytes), move the extensions along, add an unknown one.
        int oldLen = b.getInt(100);
        byte[] exts = new byte[1024];
        System.arraycopy(bytes, oldLen, exts, 0, 1024);
        byte[] unknownBytes = {1, 2, 3, 4, 5, 6, 7, 8};
        System.arraycopy(unknownBytes, 0, bytes, 112, 8);
        ByteBuffer u = ByteBuffer.allocate(16).putInt(0x0BADF00D).putInt(5).put("abcde".getBytes(StandardCharsets.UTF_8));
        System.arraycopy(u.array(), 0, bytes, 120, 16);
        System.arraycopy(exts, 0, bytes, 136, 1024);
        b.putInt(100, 120);
        b.putLong(80, 1L << 9);   // unknown compatible bit: kept
        b.putLong(88, 1L << 17);  // unknown autoclear bit: cleared by a writable open
        Files.write(img, bytes);
        try (BlockNode n = Qemu.open(img, false)) {
            n.write(0, new byte[] {1}, 0, 1);
        }
        ByteBuffer after = ByteBuffer.wrap(Files.readAllBytes(img));
        Qcow2Header h = Qcow2Header.parse(after);
        assertEquals(0, h.autoclearFeatures());
        assertEquals(1L << 9, h.compatibleFeatures());
        assertEquals(120, h.headerLength());
        assertArrayEquals(unknownBytes, h.extraBytes());
        HeaderExtensions ext = HeaderExtensions.parse(after, h);
        assertEquals(1, ext.unknown().size());
        assertEquals(0x0BADF00D, ext.unknown().get(0).type());
        assertEquals(0, Qemu.check(img).exit());
        assertTrue(Qemu.ok("qemu-img", "info", img.toString()).contains("compat: 1.1"));
    }

    @Test
    void changingTheBackingFileMatchesQemuRebaseUnsafe() throws Exception {
        Qemu.assumePresent();
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "1M");
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("create", "-q", "-f", "qcow2", p.toString(), "1M");
        }
        try (BlockNode n = Qemu.open(a, false)) {
            ((Qcow2Driver) n.driver()).changeBackingFile("base.qcow2", "qcow2");
        }
        Qemu.img("rebase", "-u", "-b", "base.qcow2", "-F", "qcow2", b.toString());
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
        try (BlockNode n = Qemu.open(a, false)) {
            ((Qcow2Driver) n.driver()).changeBackingFile(null, null);
        }
        Qemu.img("rebase", "-u", "-b", "", b.toString());
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
    }

    @Test
    void amendMatchesQemu() throws Exception {
        Qemu.assumePresent();
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("create", "-q", "-f", "qcow2", "-o", "compat=0.10", p.toString(), "1M");
            Qemu.io(p, "write -P 1 0 64k");
        }
        String[][] steps = {{"compat", "1.1"}, {"lazy_refcounts", "on"}, {"lazy_refcounts", "off"}, {"compat", "0.10"}};
        for (String[] step : steps) {
            try (BlockNode n = Qemu.open(a, false)) {
                ((Qcow2Driver) n.driver()).amend(Map.of(step[0], step[1]));
            }
            Qemu.img("amend", "-o", step[0] + "=" + step[1], b.toString());
            assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a), "after " + step[0] + "=" + step[1]);
        }
        Qemu.img("amend", "-o", "compat=1.1", a.toString());
        Qemu.io(a, "write -z 0 64k");
        try (BlockNode n = Qemu.open(a, false)) {
            BlockException e = assertThrows(BlockException.class,
                    () -> ((Qcow2Driver) n.driver()).amend(Map.of("compat", "0.10")));
            assertTrue(e.getMessage().contains("zero clusters"), e.getMessage());
        }
    }

    @Test
    void optionParsing() throws Exception {
        Qcow2Options o = Qcow2Options.parse(Map.of("l2-cache-size", "2M", "refcount-cache-size", "256k",
                "cache-clean-interval", "30", "discard", "ignore", "overlap-check", "all", "l2-cache-entry-size", "4k"));
        assertEquals(2 << 20, o.l2CacheSize());
        assertEquals(256 << 10, o.refcountCacheSize());
        assertEquals(30, o.cacheCleanInterval());
        assertEquals(false, o.discardUnmap());
        assertEquals(OverlapChecker.ALL, o.overlapMask());
        assertEquals(4096, o.l2CacheEntrySize());
        assertThrows(BlockException.class, () -> Qcow2Options.parse(Map.of("overlap-check", "some")));
        assertThrows(BlockException.class, () -> Qcow2Options.parse(Map.of("cache-clean-interval", "-1")));
        assertThrows(BlockException.class, () -> Qcow2Options.parse(Map.of("l2-cache-size", "lots")));
        assertThrows(BlockException.class, () -> Qcow2Options.parse(Map.of("alloc-zero-writes", "maybe")));
    }

    @Test
    void smallL2SlicesReadAndWriteCorrectly() throws Exception {
        Qemu.assumePresent();
        Path img = dir.resolve("s.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "64M");
        Qemu.io(img, "write -P 0x1 0 64k", "write -P 0x2 40M 64k");
        try (BlockNode n = Qemu.open(img, false, Map.of("l2-cache-entry-size", "4k", "l2-cache-size", "8k"))) {
            byte[] b = new byte[4];
            n.read(40L << 20, b, 0, 4);
            assertEquals(2, b[0]);
            n.write(63L << 20, new byte[] {3, 3}, 0, 2);
            n.write(1 << 20, new byte[] {4}, 0, 1);
        }
        assertEquals(0, Qemu.check(img).exit());
        byte[] raw = Qemu.rawContents(img);
        assertEquals(3, raw[63 << 20]);
        assertEquals(4, raw[1 << 20]);
        assertEquals(2, raw[40 << 20]);
    }
}
