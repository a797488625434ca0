package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dirty lazy-refcounts image (refcounts too low) is repaired by a writable open. */
class DirtyImageTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @Test
    void writableOpenRebuildsRefcountsOfDirtyImage() throws Exception {
        Path img = dir.resolve("lazy.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "lazy_refcounts=on", img.toString(), "4M");
        Qemu.io(img, "write -P 0x1 0 64k");
        Qemu.img("snapshot", "-c", "s", img.toString());
        // qemu-io's abort leaves the dirty bit and the postponed refcounts unwritten.
        Qemu.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x2 64k 192k", "-c", "write -P 0x3 4k 4k", "-c", "abort",
                img.toString());
        byte[] before = Files.readAllBytes(img);
        assertEquals(1, ByteBuffer.wrap(before).getLong(72) & 1, "test needs a dirty image");
        assertNotEquals(0, Qemu.check(img).exit(), "test needs refcount errors");
        try (BlockNode n = Qemu.open(img, true)) {
            assertEquals(4 << 20, n.length());
        }
        assertArrayEquals(before, Files.readAllBytes(img), "read-only open must not repair");
        byte[] expected;
        Path copy = dir.resolve("copy.qcow2");
        Files.copy(img, copy);
        Qemu.ok("qemu-img", "check", "-r", "all", copy.toString());
        expected = Qemu.rawContents(copy);
        try (BlockNode n = Qemu.open(img, false)) {
            n.write(1 << 20, new byte[] {9, 9, 9}, 0, 3);
            expected[1 << 20] = 9;
            expected[(1 << 20) + 1] = 9;
            expected[(1 << 20) + 2] = 9;
        }
        assertEquals(0, ByteBuffer.wrap(Files.readAllBytes(img)).getLong(72) & 1, "dirty bit cleared");
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertArrayEquals(expected, Qemu.rawContents(img));
    }
}
