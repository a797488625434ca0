package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed L2 entries and snapshot L1 tables, handled as qemu does: a write never goes through a
 * broken entry (EIO and the corrupt bit instead), a pre-v3 zero flag is corruption, an overwritten
 * entry with an absurd host offset only leaks, and a bad snapshot L1 fails only when it is used.
 */
class MalformedEntryTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @Test
    void writeThroughAnUnalignedEntryFailsAndMarksTheImageCorrupt() throws Exception {
        Path img = image("cluster_size=65536", 128 << 10);
        long l2 = pokeL2(img, 0, e -> e | 0x200, null);
        long host = entryAt(img, l2) & L2Entry.OFFSET_MASK;
        byte[] before = Arrays.copyOfRange(Files.readAllBytes(img), (int) host, (int) host + 65536);
        assertWriteRefused(img, "unaligned");
        byte[] after = Files.readAllBytes(img);
        assertArrayEquals(before, Arrays.copyOfRange(after, (int) host, (int) host + 65536), "nothing written there");
        assertCorruptBit(img, true);
    }

    @Test
    void writeThroughAnInvalidSubclusterBitmapFailsAndMarksTheImageCorrupt() throws Exception {
        Path img = image("cluster_size=65536,extended_l2=on", 64 << 10);
        long l2 = pokeL2(img, 0, e -> e, b -> 1L | (1L << 32)); // subcluster 0 both allocated and zero
        long bitmap = ByteBuffer.wrap(Files.readAllBytes(img)).getLong((int) l2 + 8);
        assertWriteRefused(img, "Invalid extended L2 entry");
        assertEquals(bitmap, ByteBuffer.wrap(Files.readAllBytes(img)).getLong((int) l2 + 8), "bitmap not rewritten");
        assertCorruptBit(img, true);
    }

    @Test
    void zeroFlagInAVersion2ImageIsCorruption() throws Exception {
        Path img = image("compat=0.10", 64 << 10);
        pokeL2(img, 0, e -> e | L2Entry.ZERO, null);
        try (BlockNode n = Qemu.open(img, true)) {
            BlockException e = assertThrows(BlockException.class, () -> n.read(0, new byte[512], 0, 512));
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().contains("pre-v3"), e.getMessage());
        }
        assertWriteRefused(img, "pre-v3");
    }

    @Test
    void overwritingAnEntryWithAnAbsurdCompressedOffsetOnlyLeaks() throws Exception {
        Path img = image("cluster_size=512", 20 << 10);
        pokeL2(img, 0, e -> 0x7FFFFFFFFFFFFFFFL, null);
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x6b);
        try (BlockNode n = Qemu.open(img, false)) {
            n.write(0, data, 0, data.length);
            byte[] got = new byte[4096];
            n.read(0, got, 0, got.length);
            assertArrayEquals(data, got);
        }
        Qemu.Result check = Qemu.check(img);
        assertEquals(3, check.exit(), "leaks only: " + check.out());
    }

    @Test
    void anUnalignedSnapshotL1FailsOnlyWhenTheSnapshotIsUsed() throws Exception {
        Path img = image("cluster_size=65536", 64 << 10);
        Qemu.img("snapshot", "-c", "s1", img.toString());
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int entry = (int) b.getLong(64);
        b.putLong(entry, b.getLong(entry) + 512);
        Files.write(img, bytes);
        FileImageNode file = new FileImageNode(img, false);
        Qcow2Driver d = Qcow2Driver.open(file, false, false, Map.of(), ChildOpener.NONE);
        try (DriverNode n = new DriverNode(d)) {
            byte[] got = new byte[512];
            n.read(0, got, 0, 512);
            assertEquals(0x11, got[0], "the active layer still reads");
            BlockException e = assertThrows(BlockException.class, () -> d.applySnapshot("s1"));
            assertTrue(e.getMessage().contains("Snapshot L1 table offset invalid"), e.getMessage());
        }
    }

    private Path image(String opts, int written) {
        Path img = dir.resolve("m" + System.nanoTime() + ".qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "1M");
        Qemu.io(img, "write -P 0x11 0 " + written);
        return img;
    }

    /** Rewrites guest cluster index's L2 entry (and, with extended L2, its bitmap); returns the entry's offset. */
    private static long pokeL2(Path img, int index, java.util.function.LongUnaryOperator word,
                               java.util.function.LongUnaryOperator bitmap) throws Exception {
        byte[] bytes = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        boolean extended = b.getInt(4) >= 3 && (b.getLong(72) & 0x10) != 0;
        long l2 = b.getLong((int) b.getLong(40)) & L2Entry.L1_OFFSET_MASK;
        int at = (int) l2 + index * (extended ? 16 : 8);
        b.putLong(at, word.applyAsLong(b.getLong(at)));
        if (bitmap != null) {
            b.putLong(at + 8, bitmap.applyAsLong(b.getLong(at + 8)));
        }
        Files.write(img, bytes);
        return at;
    }

    private static long entryAt(Path img, long at) throws Exception {
        return ByteBuffer.wrap(Files.readAllBytes(img)).getLong((int) at);
    }

    private static void assertWriteRefused(Path img, String message) throws Exception {
        try (BlockNode n = Qemu.open(img, false)) {
            BlockException e = assertThrows(BlockException.class, () -> n.write(0, new byte[4096], 0, 4096));
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        } catch (BlockException closing) {
            // a stopped image may refuse the final flush; the corrupt bit is what matters
        }
    }

    private static void assertCorruptBit(Path img, boolean set) throws Exception {
        long incompat = ByteBuffer.wrap(Files.readAllBytes(img)).getLong(72);
        assertEquals(set, (incompat & Qcow2Header.INCOMPAT_CORRUPT) != 0);
    }
}
