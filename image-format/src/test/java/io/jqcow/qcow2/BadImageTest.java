package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Broken headers fail to open with a clear message, and the file is never written. */
class BadImageTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    /** field offset, width (4 or 8 or 1), value, expected message fragment, errno. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "0;4;0x12345678;not in qcow2 format;EINVAL",
        "4;4;4;Unsupported qcow2 version 4;ENOTSUP",
        "20;4;8;Unsupported cluster size: 2^8;EINVAL",
        "20;4;22;Unsupported cluster size: 2^22;EINVAL",
        "100;4;100;qcow2 header too short;EINVAL",
        "100;4;0x20000;qcow2 header exceeds cluster size;EINVAL",
        "8;8;0x20000;Invalid backing file offset;EINVAL",
        "72;8;0x8;Compression type incompatible feature bit must not be set;EINVAL",
        "104;1;1;Compression type incompatible feature bit must be set;EINVAL",
        "104;1;2;Unknown compression type 2;ENOTSUP",
        "72;8;0x20;Unsupported qcow2 feature(s): Unknown incompatible feature: 20;ENOTSUP",
        "72;8;0x60;Unsupported qcow2 feature(s): Unknown incompatible feature: 60;ENOTSUP",
        "96;4;7;Reference count entry width too large;EINVAL",
        "56;4;0;does not contain a reference count table;EINVAL",
        "56;4;200;Reference count table too large;EINVAL",
        "48;8;0x10200;Invalid reference count table offset;EINVAL",
        "60;4;70000;Too many snapshots;EINVAL",
        "64;8;0x10001;Invalid snapshot table offset;EINVAL",
        "36;4;5000000;Active L1 table too large;EFBIG",
        "40;8;0x30200;Invalid L1 table offset;EINVAL",
        "24;8;0x10000000000;L1 table is too small;EINVAL",
        "24;8;0x7fffffffffffffff;Image is too big;EFBIG",
        "32;4;1;encryption not supported;ENOTSUP",
        "32;4;2;encryption not supported;ENOTSUP",
        "72;8;0x4;'data-file' is required for this image;EINVAL",
        "88;8;0x2;data-file-raw requires a data file;EINVAL",
        "16;4;2000;Backing file name too long;EINVAL"})
    void refusesBrokenHeader(int field, int width, String value, String message, String errno) throws Exception {
        Path img = fresh();
        long v = Long.decode(value);
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        switch (width) {
            case 1 -> b.put(field, (byte) v);
            case 4 -> b.putInt(field, (int) v);
            default -> b.putLong(field, v);
        }
        if (field == 16) {
            b.putLong(8, 0x300); // a backing name offset, so the size is looked at
        }
        Files.write(img, bytes);
        assertRefused(img, message, Errno.valueOf(errno), true);
    }

    @Test
    void namesUnknownFeatureFromFeatureTable() throws Exception {
        Path img = fresh();
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int table = findExtension(b, HeaderExtension.FEATURE_TABLE);
        b.put(table + 8, (byte) 0).put(table + 9, (byte) 9);
        byte[] name = Arrays.copyOf("shiny future feature".getBytes(StandardCharsets.US_ASCII), 46);
        b.put(table + 10, name);
        b.putLong(72, 1L << 9);
        Files.write(img, bytes);
        assertRefused(img, "Unsupported qcow2 feature(s): shiny future feature", Errno.ENOTSUP, true);
    }

    @Test
    void truncatedHeader() throws Exception {
        Path img = fresh();
        Files.write(img, Arrays.copyOf(Files.readAllBytes(img), 50));
        assertRefused(img, "truncated header", Errno.EINVAL, true);
        Path v3 = fresh();
        Files.write(v3, Arrays.copyOf(Files.readAllBytes(v3), 90));
        assertRefused(v3, "truncated", Errno.EINVAL, true);
    }

    @Test
    void extensionTooLarge() throws Exception {
        Path img = fresh();
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int table = findExtension(b, HeaderExtension.FEATURE_TABLE);
        b.putInt(table + 4, 0x7FFF0000);
        Files.write(img, bytes);
        assertRefused(img, "Header extension too large", Errno.EINVAL, true);
    }

    @Test
    void corruptImageOpensReadOnlyOnly() throws Exception {
        Path img = fresh();
        Qemu.io(img, "write -P 0x3 0 4k");
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer.wrap(bytes).putLong(72, Qcow2Header.INCOMPAT_CORRUPT);
        Files.write(img, bytes);
        BlockException e = assertThrows(BlockException.class, () -> Qemu.open(img, false));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("Image is corrupt; cannot be opened read/write"), e.getMessage());
        try (BlockNode n = Qemu.open(img, true)) {
            byte[] got = new byte[4096];
            n.read(0, got, 0, got.length);
            assertEquals(3, got[100]);
        }
        assertArrayEquals(bytes, Files.readAllBytes(img));
    }

    @Test
    void writingMetadataThroughCorruptL2EntryMarksImageCorrupt() throws Exception {
        Path img = fresh();
        Qemu.io(img, "write -P 0x3 0 64k");
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long l1 = b.getLong(40);
        long l2 = b.getLong((int) l1) & L2Entry.L1_OFFSET_MASK;
        // Point guest cluster 0 at the refcount table (cluster 1), as an owned data cluster.
        b.putLong((int) l2, 0x10000L | L2Entry.COPIED);
        Files.write(img, bytes);
        try (BlockNode n = Qemu.open(img, false)) {
            BlockException e = assertThrows(BlockException.class, () -> n.write(0, new byte[512], 0, 512));
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().contains("refcount table"), e.getMessage());
            assertThrows(BlockException.class, () -> n.read(0, new byte[512], 0, 512));
        } catch (BlockException closing) {
            // closing a stopped image may fail; the corrupt bit is what matters
        }
        long incompat = ByteBuffer.wrap(Files.readAllBytes(img)).getLong(72);
        assertEquals(Qcow2Header.INCOMPAT_CORRUPT, incompat & Qcow2Header.INCOMPAT_CORRUPT);
        assertEquals(0x20000L, ByteBuffer.wrap(Files.readAllBytes(img)).getLong(0x10000), "reftable intact");
    }

    @Test
    void overlapCheckAllCatchesInactiveL2() throws Exception {
        Path img = fresh();
        Qemu.io(img, "write -P 0x3 0 64k");
        Qemu.img("snapshot", "-c", "s", img.toString());
        Qemu.io(img, "write -P 0x4 0 64k"); // the active L2 is now a copy; the old one is inactive only
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long snapL1 = b.getLong((int) b.getLong(64));
        long inactiveL2 = b.getLong((int) snapL1) & L2Entry.L1_OFFSET_MASK;
        long activeL2 = b.getLong((int) b.getLong(40)) & L2Entry.L1_OFFSET_MASK;
        // Point active guest cluster 1 at the inactive L2 table, claiming to own it.
        b.putLong((int) activeL2 + 8, inactiveL2 | L2Entry.COPIED);
        Files.write(img, bytes);
        try (BlockNode n = Qemu.open(img, false, java.util.Map.of("overlap-check", "all"))) {
            BlockException e = assertThrows(BlockException.class, () -> n.write(65536, new byte[512], 0, 512));
            assertTrue(e.getMessage().contains("inactive L2 table"), e.getMessage());
        } catch (BlockException closing) {
            // a stopped image may refuse the final flush
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "4;1;Reserved field is not zero", "0;0;found bitmaps extension with zero bitmaps",
        "0;70000;exceeding the QEMU supported maximum of 65535", "16;0x30001;invalid bitmap directory offset"})
    void refusesBrokenBitmapsExtension(int field, String value, String message) throws Exception {
        Path img = fresh();
        Qemu.img("bitmap", "--add", img.toString(), "b0");
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int ext = findExtension(b, HeaderExtension.BITMAPS) + 8;
        long v = Long.decode(value);
        if (field == 16) {
            b.putLong(ext + field, v);
        } else {
            b.putInt(ext + field, (int) v);
        }
        Files.write(img, bytes);
        assertRefused(img, message, Errno.EINVAL, true);
    }

    @Test
    void unalignedDataOffsetFailsReadsButReadOnlyImageKeepsServing() throws Exception {
        Path img = fresh();
        Qemu.io(img, "write -P 0x3 0 128k");
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long l2 = b.getLong((int) b.getLong(40)) & L2Entry.L1_OFFSET_MASK;
        b.putLong((int) l2, b.getLong((int) l2) | 0x200); // guest cluster 0: data offset no longer aligned
        Files.write(img, bytes);
        try (BlockNode n = Qemu.open(img, true)) {
            BlockException e = assertThrows(BlockException.class, () -> n.read(0, new byte[512], 0, 512));
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().contains("unaligned"), e.getMessage());
            byte[] ok = new byte[512];
            n.read(65536, ok, 0, 512);
            assertEquals(3, ok[0], "other clusters still read");
        }
        assertArrayEquals(bytes, Files.readAllBytes(img), "read-only: corrupt bit not written");
        try (BlockNode n = Qemu.open(img, false)) {
            assertThrows(BlockException.class, () -> n.read(0, new byte[512], 0, 512));
            assertThrows(BlockException.class, () -> n.read(65536, new byte[512], 0, 512));
        } catch (BlockException closing) {
            // a stopped image may refuse the final flush
        }
        assertEquals(Qcow2Header.INCOMPAT_CORRUPT, ByteBuffer.wrap(Files.readAllBytes(img)).getLong(72)
                & Qcow2Header.INCOMPAT_CORRUPT);
    }

    private Path fresh() {
        Path img = dir.resolve("bad" + System.nanoTime() + ".qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M");
        return img;
    }

    private static int findExtension(ByteBuffer b, int type) {
        int off = 112;
        while (b.getInt(off) != 0) {
            if (b.getInt(off) == type) {
                return off;
            }
            off += 8 + ((b.getInt(off + 4) + 7) & ~7);
        }
        throw new AssertionError("extension not found");
    }

    private static void assertRefused(Path img, String message, Errno errno, boolean alsoReadOnly) throws Exception {
        byte[] before = Files.readAllBytes(img);
        for (boolean ro : alsoReadOnly ? new boolean[] {false, true} : new boolean[] {false}) {
            BlockException e = assertThrows(BlockException.class, () -> Qemu.open(img, ro).close());
            assertTrue(e.getMessage().contains(message), "message was: " + e.getMessage());
            assertEquals(errno, e.errno(), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
        assertArrayEquals(before, Files.readAllBytes(img), "a refused image must not be written");
    }
}
