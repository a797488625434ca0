package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Images made and written by qemu-img/qemu-io read back identically through jqcow. */
class Qcow2ReadMatrixTest {
    @TempDir
    Path dir;

    static final String[] OPS = {"write -P 0xab 0 64k", "write -P 0xcd 100k 3k", "write -z 200k 64k",
        "write -P 0x11 1M 130k", "discard 1M 64k", "write -P 0x5a 4095k 1k"};

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_size=512", "cluster_size=4k", "cluster_size=64k", "cluster_size=2M",
        "refcount_bits=1", "refcount_bits=64,cluster_size=4k", "compat=0.10", "lazy_refcounts=on",
        "extended_l2=on,cluster_size=64k", "extended_l2=on,cluster_size=16k", "preallocation=metadata",
        "preallocation=falloc,cluster_size=16k"})
    void readsWhatQemuWrote(String opts) throws Exception {
        Path img = dir.resolve("m.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "4M");
        Qemu.io(img, OPS);
        assertSameAsQemu(img);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "zstd", "zstd,extended_l2=on", "zlib,cluster_size=512"})
    void readsCompressedImages(String type) throws Exception {
        Path raw = dir.resolve("src.raw");
        byte[] content = new byte[3 * 1024 * 1024 + 4096];
        Random r = new Random(7);
        for (int i = 0; i < content.length; i += 4096) {
            // half compressible text-like blocks, half random blocks
            if ((i / 4096) % 3 == 0) {
                byte[] rnd = new byte[4096];
                r.nextBytes(rnd);
                System.arraycopy(rnd, 0, content, i, Math.min(4096, content.length - i));
            } else {
                for (int j = i; j < Math.min(i + 4096, content.length); j++) {
                    content[j] = (byte) ("qcow2 compressed " + (j % 97)).charAt(j % 17);
                }
            }
        }
        Files.write(raw, content);
        Path img = dir.resolve("c.qcow2");
        String opts = "cluster_size=16k,compression_type=" + type;
        Qemu.img("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", opts, raw.toString(), img.toString());
        try (BlockNode n = Qemu.open(img, true)) {
            BlockStatus st = n.blockStatus(0, n.length());
            assertTrue(st.data());
        }
        assertSameAsQemu(img);
    }

    @Test
    void readsThreeDeepBackingChainWithShorterBase() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Path mid = dir.resolve("mid.qcow2");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "1M");
        Qemu.io(base, "write -P 0x01 0 1M");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", mid.toString(), "2M");
        Qemu.io(mid, "write -P 0x02 64k 64k", "write -P 0x22 1536k 4k");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top.toString(), "3M");
        Qemu.io(top, "write -P 0x03 100k 8k", "write -z 0 4k", "write -P 0x33 2600k 1k");
        assertSameAsQemu(top);
    }

    @Test
    void readsRawBackingWithoutFormatExtension() throws Exception {
        Path base = dir.resolve("base.raw");
        byte[] b = new byte[512 * 1024];
        new Random(3).nextBytes(b);
        Files.write(base, b);
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "raw", top.toString(), "1M");
        Qemu.io(top, "write -P 0x44 300k 5k");
        assertSameAsQemu(top);
    }

    @Test
    void readsExternalDataFile() throws Exception {
        Path img = dir.resolve("d.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("d.data"), img.toString(), "2M");
        Qemu.io(img, "write -P 0x77 64k 100k", "write -z 300k 64k");
        assertSameAsQemu(img);
        try (BlockNode n = Qemu.open(img, true)) {
            BlockStatus st = n.blockStatus(64 * 1024, 4096);
            assertEquals(64 * 1024, st.hostOffset());
            assertTrue(st.hostFile().name().endsWith("d.data"));
        }
    }

    @Test
    void readsActiveLayerWithInternalSnapshot() throws Exception {
        Path img = dir.resolve("s.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "2M");
        Qemu.io(img, "write -P 0x10 0 256k");
        Qemu.img("snapshot", "-c", "snap1", img.toString());
        Qemu.io(img, "write -P 0x20 64k 64k", "write -P 0x30 1M 4k");
        assertSameAsQemu(img);
        try (BlockNode n = Qemu.open(img, true)) {
            SnapshotTable t = ((Qcow2Driver) n.driver()).snapshots();
            assertEquals(1, t.entries().size());
            assertEquals("snap1", t.entries().get(0).name());
            assertEquals(2L << 20, t.entries().get(0).diskSize());
        }
    }

    static void assertSameAsQemu(Path img) throws Exception {
        byte[] expected = Qemu.rawContents(img);
        try (BlockNode n = Qemu.open(img, true)) {
            assertEquals(expected.length, n.length());
            byte[] got = Qemu.readAll(n);
            assertArrayEquals(expected, got, "guest contents differ for " + img);
            // Unaligned small reads must agree too.
            Random r = new Random(img.toString().hashCode());
            for (int i = 0; i < 50; i++) {
                int off = r.nextInt(expected.length);
                int len = Math.min(expected.length - off, 1 + r.nextInt(70000));
                byte[] part = new byte[len];
                n.read(off, part, 0, len);
                for (int j = 0; j < len; j++) {
                    if (part[j] != expected[off + j]) {
                        throw new AssertionError("mismatch at " + (off + j) + " reading " + off + "+" + len);
                    }
                }
            }
        }
    }
}
