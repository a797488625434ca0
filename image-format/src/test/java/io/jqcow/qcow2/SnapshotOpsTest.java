package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Snapshot create/apply/delete by jqcow and by qemu-img give equal guests and clean images. */
class SnapshotOpsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_size=64k", "cluster_size=4k,refcount_bits=8", "compat=0.10"})
    void createWriteApplyDelete(String opts) throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, p.toString(), "2M");
            Qemu.io(p, "write -P 0x1 0 300k", "write -c 512k 64k", "write -P 0x2 1M 4k");
        }
        try (BlockNode n = Qemu.open(a, false)) {
            ((Qcow2Driver) n.driver()).createSnapshot("s1");
            n.write(4096, new byte[8192], 0, 8192);
            n.write(1 << 20, new byte[] {9}, 0, 1);
            n.discard(128 << 10, 64 << 10);
            // as qemu-img snapshot -c: a repeated name is a second snapshot with the next id
            ((Qcow2Driver) n.driver()).createSnapshot("s1");
            ((Qcow2Driver) n.driver()).deleteSnapshot("2");
            assertEquals(1, ((Qcow2Driver) n.driver()).snapshots().entries().size());
        }
        Qemu.img("snapshot", "-c", "s1", b.toString());
        Qemu.io(b, "write -P 0 4096 8192", "write -P 0x9 1M 1", "discard 128k 64k");
        compareAndCheck(a, b);
        String list = Qemu.ok("qemu-img", "snapshot", "-l", a.toString());
        assertTrue(list.contains("s1"), list);
        assertArrayEquals(snapshotContents(b, "s1"), snapshotContents(a, "s1"));

        try (BlockNode n = Qemu.open(a, false)) {
            ((Qcow2Driver) n.driver()).createSnapshot("s2");
            ((Qcow2Driver) n.driver()).applySnapshot("s1");
            n.write(0, new byte[] {7, 7}, 0, 2);
        }
        Qemu.img("snapshot", "-c", "s2", b.toString());
        Qemu.img("snapshot", "-a", "s1", b.toString());
        Qemu.io(b, "write -P 0x7 0 2");
        compareAndCheck(a, b);

        try (BlockNode n = Qemu.open(a, false)) {
            ((Qcow2Driver) n.driver()).deleteSnapshot("s1");
            ((Qcow2Driver) n.driver()).deleteSnapshot("2");
            assertEquals(0, ((Qcow2Driver) n.driver()).snapshots().entries().size());
            n.write(300 << 10, new byte[] {5}, 0, 1);
        }
        Qemu.img("snapshot", "-d", "s1", b.toString());
        Qemu.img("snapshot", "-d", "s2", b.toString());
        Qemu.io(b, "write -P 0x5 300k 1");
        compareAndCheck(a, b);
    }

    private byte[] snapshotContents(Path img, String name) throws Exception {
        Path out = dir.resolve(img.getFileName() + "." + name + ".raw");
        Qemu.ok("qemu-img", "convert", "-l", "snapshot.name=" + name, "-O", "raw", img.toString(), out.toString());
        byte[] b = Files.readAllBytes(out);
        Files.delete(out);
        return b;
    }

    private static void compareAndCheck(Path mine, Path qemus) {
        Qemu.Result cmp = Qemu.run("qemu-img", "compare", mine.toString(), qemus.toString());
        assertEquals(0, cmp.exit(), "qemu-img compare: " + cmp.out());
        Qemu.Result check = Qemu.check(mine);
        assertEquals(0, check.exit(), "qemu-img check: " + check.out());
    }
}
