package io.jqcow.qcow2;

import static io.jqcow.testing.TwinOps.discard;
import static io.jqcow.testing.TwinOps.write;
import static io.jqcow.testing.TwinOps.zero;
import static io.jqcow.testing.TwinOps.zeroUnmap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import io.jqcow.testing.TwinOps;
import io.jqcow.testing.TwinOps.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same operations through jqcow and through qemu-io give equal guests, and jqcow's image checks clean. */
class TwinImageTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    static final List<Op> MIXED = List.of(write(0, 65536, 0xab), write(70000, 3000, 0xcd), write(65536 * 5 + 100, 200000, 0x11),
            zero(4096, 8192), zero(65536 * 3, 65536 * 2), zeroUnmap(65536 * 6, 65536), discard(65536 * 7, 65536 * 2),
            write(65536 * 8 + 5, 7, 0x99), write(1 << 20, 65536, 0x42), zero(1 << 20, 65536), write((3 << 20) - 512, 512, 0x7));

    @Test
    void mixedOperationsOnFreshImage() throws Exception {
        twin("cluster_size=65536", "4M", null, MIXED, Map.of());
    }

    @Test
    void mixedOperationsOnV2Image() throws Exception {
        twin("compat=0.10", "4M", null, MIXED, Map.of());
    }

    @Test
    void mixedOperationsWithExtendedL2() throws Exception {
        List<Op> ops = new ArrayList<>(MIXED);
        ops.add(write(65536 * 10 + 2048 + 7, 5000, 0x31));
        ops.add(zero(65536 * 10 + 4096, 8192));
        twin("extended_l2=on,cluster_size=64k", "4M", null, ops, Map.of());
    }

    @Test
    void partialWritesOverBackingFile() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "3M");
        Qemu.io(base, "write -P 0x5c 0 3M");
        List<Op> ops = List.of(write(100, 1000, 0x1), write(65536 * 2 + 30000, 70000, 0x2), zero(65536 * 20, 100),
                zero(65536 * 21, 65536), discard(65536 * 22, 65536), write((3 << 20) + 4096, 4096, 0x3));
        twin("cluster_size=65536", "4M", base, ops, Map.of());
    }

    @Test
    void partialWritesOverBackingWithExtendedL2() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "2M");
        Qemu.io(base, "write -P 0x5c 0 2M");
        List<Op> ops = List.of(write(100, 1000, 0x1), write(65536 * 2 + 30000, 70000, 0x2), zero(65536 * 20, 4096),
                write(65536 * 20 + 1000, 10, 0x4));
        twin("cluster_size=65536,extended_l2=on", "2M", base, ops, Map.of());
    }

    @Test
    void smallClustersGrowL2AndRefcountStructures() throws Exception {
        List<Op> ops = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 300; i++) {
            ops.add(write((long) r.nextInt(64 << 20) & ~511L, 512 * (1 + r.nextInt(8)), 1 + r.nextInt(250)));
        }
        twin("cluster_size=512", "64M", null, ops, Map.of());
    }

    @Test
    void refcountTableGrowsWithWideRefcountsAndSmallClusters() throws Exception {
        List<Op> ops = new ArrayList<>();
        Random r = new Random(12);
        for (int i = 0; i < 900; i++) {
            ops.add(write((long) r.nextInt(64 << 20) & ~511L, 512 * (1 + r.nextInt(8)), 1 + r.nextInt(250)));
        }
        twin("cluster_size=512,refcount_bits=64", "64M", null, ops, Map.of());
        Qcow2Header h = Qcow2Header.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(dir.resolve("a.qcow2"))));
        assertTrue(h.refcountTableClusters() > 1, "refcount table should have grown: " + h);
    }

    @Test
    void oneBitRefcountsAndTinyCaches() throws Exception {
        List<Op> ops = new ArrayList<>(MIXED);
        twin("cluster_size=4k,refcount_bits=1", "8M", null, ops,
                Map.of("l2-cache-size", "4k", "refcount-cache-size", "4k"));
    }

    @Test
    void writesToSnapshottedClustersCopyThem() throws Exception {
        List<Op> pre = List.of(write(0, 300000, 0x10));
        List<Op> ops = List.of(write(4096, 4096, 0x20), write(65536 * 2, 65536, 0x21), zero(65536 * 3, 65536),
                discard(65536 * 4, 65536), write(1 << 20, 5000, 0x22));
        twin("cluster_size=65536", "2M", null, ops, Map.of(), img -> {
            Qemu.io(img, TwinOps.qemuIo(pre));
            Qemu.img("snapshot", "-c", "s1", img.toString());
        });
    }

    @Test
    void externalDataFile() throws Exception {
        List<Op> ops = List.of(write(0, 65536, 0xab), write(70000, 3000, 0xcd), zero(65536 * 3, 65536),
                discard(65536 * 7, 65536));
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("a.data"), a.toString(), "1M");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("b.data"), b.toString(), "1M");
        apply(a, ops, Map.of());
        Qemu.io(b, TwinOps.qemuIo(ops));
        compareAndCheck(a, b);
    }

    @Test
    void concurrentWritesIntoOneNewCluster() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "1M");
        Qemu.img("create", "-q", "-f", "qcow2", b.toString(), "1M");
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            ops.add(write(i * 4096L, 4096, i + 1));
        }
        for (int round = 0; round < 5; round++) {
            try (BlockNode n = Qemu.open(a, false)) {
                ExecutorService ex = Executors.newFixedThreadPool(8);
                List<Future<?>> fs = new ArrayList<>();
                for (Op op : ops) {
                    Op shifted = write(op.offset() + round * 131072L, op.length(), op.pattern());
                    fs.add(ex.submit(() -> {
                        TwinOps.apply(n, shifted);
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                ex.shutdown();
            }
            List<Op> shifted = new ArrayList<>();
            for (Op op : ops) {
                shifted.add(write(op.offset() + round * 131072L, op.length(), op.pattern()));
            }
            Qemu.io(b, TwinOps.qemuIo(shifted));
        }
        compareAndCheck(a, b);
        // 5 rounds x 2 clusters of data + header, reftable, refblock, L1, L2: no cluster allocated twice.
        assertTrue(Files.size(a) <= 15L * 65536, "file grew to " + Files.size(a));
    }

    @Test
    void allocationUsesZeroWritesOnlyWhenPaddingIsZero() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "1M");
        io.jqcow.testing.FileImageNode file = new io.jqcow.testing.FileImageNode(a, false);
        try (BlockNode n = new io.jqcow.testing.DriverNode(Qcow2Driver.open(file, false, false, Map.of(), ChildOpener.NONE))) {
            TwinOps.apply(n, write(1000, 100, 0x1));
            assertEquals(1, file.zeroWrites.get(), "padding of a new cluster over nothing is written as zeroes");
            TwinOps.apply(n, write(2000, 100, 0x2));
            assertEquals(1, file.zeroWrites.get(), "in-place writes need no padding");
        }
        Path b = dir.resolve("b.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", b.toString(), "1M");
        Qemu.io(b, "write -P 0x1 1000 100", "write -P 0x2 2000 100");
        compareAndCheck(a, b);
        Path c = dir.resolve("c.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", c.toString(), "1M");
        io.jqcow.testing.FileImageNode noZero = new io.jqcow.testing.FileImageNode(c, false).withoutZeroWrites();
        try (BlockNode n = new io.jqcow.testing.DriverNode(Qcow2Driver.open(noZero, false, false, Map.of(), ChildOpener.NONE))) {
            TwinOps.apply(n, write(1000, 100, 0x1));
            TwinOps.apply(n, write(2000, 100, 0x2));
        }
        compareAndCheck(c, b);
    }

    @Test
    void growingResizeExtendsL1LikeQemu() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", p.toString(), "1M");
            Qemu.io(p, "write -P 0x1 0 1M");
        }
        List<Op> after = List.of(write((40L << 20) + 3, 10000, 0x2), write((1 << 20) - 100, 200, 0x3));
        try (BlockNode n = Qemu.open(a, false)) {
            n.truncate(48L << 20, true, io.jqcow.block.PreallocMode.OFF);
            for (Op op : after) {
                TwinOps.apply(n, op);
            }
        }
        Qemu.img("resize", "-q", b.toString(), "48M");
        Qemu.io(b, TwinOps.qemuIo(after));
        compareAndCheck(a, b);
        String info = Qemu.ok("qemu-img", "info", a.toString());
        assertTrue(info.contains("virtual size: 48 MiB"), info);
        Qcow2Header ha = Qcow2Header.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(a)));
        Qcow2Header hb = Qcow2Header.parse(java.nio.ByteBuffer.wrap(Files.readAllBytes(b)));
        assertEquals(hb.l1Size(), ha.l1Size(), "L1 grows to exactly what the new size needs");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"metadata", "falloc", "full"})
    void growingResizeWithPreallocation(String mode) throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", p.toString(), "1M");
            Qemu.io(p, "write -P 0x1 0 100k");
        }
        try (BlockNode n = Qemu.open(a, false)) {
            n.truncate(3 << 20, true, io.jqcow.block.PreallocMode.parse(mode));
        }
        Qemu.img("resize", "-q", "--preallocation=" + mode, b.toString(), "3M");
        compareAndCheck(a, b);
        String mapA = Qemu.ok("qemu-img", "map", "--output=json", a.toString());
        String tail = mapA.substring(mapA.indexOf("\"start\": 1048576"));
        assertTrue(!tail.contains("\"present\": false"), "the new area is allocated: " + mapA);
    }

    @Test
    void growingOverlayHidesLongerBacking() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "4M");
        Qemu.io(base, "write -P 0x6 0 4M");
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (String opts : new String[] {"compat=1.1", "compat=0.10"}) {
            boolean v2 = opts.equals("compat=0.10");
            for (Path p : new Path[] {a, b}) {
                Files.deleteIfExists(p);
                Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, "-b", base.toString(), "-F", "qcow2", p.toString(),
                        "1M");
            }
            if (v2) {
                // Neither can hide the backing data without zero clusters.
                try (BlockNode n = Qemu.open(a, false)) {
                    assertThrows(io.jqcow.block.BlockException.class,
                            () -> n.truncate((3 << 20) + 512, true, io.jqcow.block.PreallocMode.OFF));
                }
                assertEquals(1, Qemu.run("qemu-img", "resize", "-q", b.toString(), "3M").exit());
                continue;
            }
            try (BlockNode n = Qemu.open(a, false)) {
                n.truncate((3 << 20) + 512, true, io.jqcow.block.PreallocMode.OFF);
            }
            Qemu.img("resize", "-q", b.toString(), Long.toString((3 << 20) + 512));
            compareAndCheck(a, b);
            byte[] raw = Qemu.rawContents(a);
            assertEquals(6, raw[(1 << 20) - 1]);
            assertEquals(0, raw[2 << 20]);
        }
    }

    @Test
    void shrinkingResizeDropsClustersPastTheEnd() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", a.toString(), "4M");
        Qemu.io(a, "write -P 0x1 0 4M");
        try (BlockNode n = Qemu.open(a, false)) {
            n.truncate(1 << 20, true, io.jqcow.block.PreallocMode.OFF);
            assertEquals(1 << 20, n.length());
        }
        Qemu.Result check = Qemu.check(a);
        assertEquals(0, check.exit(), check.out());
        byte[] raw = Qemu.rawContents(a);
        assertEquals(1 << 20, raw.length);
        assertEquals(1, raw[(1 << 20) - 1]);
    }

    @Test
    void writableOpenClearsBitmapsAutoclearBitAndReportsInfo() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "lazy_refcounts=on", a.toString(), "1M");
        Qemu.img("bitmap", "--add", a.toString(), "b0");
        try (BlockNode n = Qemu.open(a, true)) {
            Qcow2Info info = ((Qcow2Driver) n.driver()).info();
            assertTrue(info.bitmapsPresent());
            assertTrue(info.lazyRefcounts());
            assertEquals("1.1", info.compat());
        }
        assertEquals(1, java.nio.ByteBuffer.wrap(Files.readAllBytes(a)).getLong(88), "read-only open keeps it");
        try (BlockNode n = Qemu.open(a, false)) {
            TwinOps.apply(n, write(0, 4096, 0x5));
        }
        assertEquals(0, java.nio.ByteBuffer.wrap(Files.readAllBytes(a)).getLong(88), "bitmaps bit cleared");
        Qemu.Result check = Qemu.check(a);
        assertTrue(check.out().contains("lacking bitmap support"), check.out());
    }

    @Test
    void partialWritesIntoCompressedClusters() throws Exception {
        Path raw = dir.resolve("src.raw");
        byte[] content = new byte[1 << 20];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / 1000);
        }
        java.nio.file.Files.write(raw, content);
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            Qemu.img("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=16k,compression_type=zstd",
                    raw.toString(), p.toString());
        }
        List<Op> ops = List.of(write(100, 50, 0x1), write(16384 * 3 - 10, 20, 0x2), discard(16384 * 5, 16384),
                zero(16384 * 7, 16384), zeroUnmap(16384 * 9, 16384), write(16384 * 11, 16384, 0x3),
                zero(16384 * 13 + 5, 100));
        apply(a, ops, Map.of());
        Qemu.io(b, TwinOps.qemuIo(ops));
        compareAndCheck(a, b);
    }

    @Test
    void farOffsetsInHugeSparseImages() throws Exception {
        List<Op> ops = List.of(write(900L << 30, 70000, 0x1), write((1L << 40) - 4096, 4096, 0x2),
                zero(500L << 30, 1 << 20), discard(900L << 30, 65536), write(3L << 30, 100, 0x3));
        twin("cluster_size=65536", "1T", null, ops, Map.of());
    }

    @Test
    void hugeClustersWithExtendedL2() throws Exception {
        List<Op> ops = List.of(write(100, 70000, 0x1), write((2 << 20) + 65536 * 3 + 5, 65536 * 2, 0x2),
                zero(5 << 20, 1 << 20), write((6 << 20) - 10, 20, 0x3), discard(4 << 20, 2 << 20));
        twin("cluster_size=2M,extended_l2=on", "8M", null, ops, Map.of());
    }

    interface Prep {
        void prepare(Path img) throws Exception;
    }

    void twin(String opts, String size, Path backing, List<Op> ops, Map<String, String> extra) throws Exception {
        twin(opts, size, backing, ops, extra, img -> { });
    }

    void twin(String opts, String size, Path backing, List<Op> ops, Map<String, String> extra, Prep prep)
            throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        for (Path p : new Path[] {a, b}) {
            if (backing != null) {
                Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, "-b", backing.toString(), "-F", "qcow2",
                        p.toString(), size);
            } else {
                Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, p.toString(), size);
            }
            prep.prepare(p);
        }
        apply(a, ops, extra);
        Qemu.io(b, TwinOps.qemuIo(ops));
        compareAndCheck(a, b);
    }

    void apply(Path img, List<Op> ops, Map<String, String> extra) throws Exception {
        try (BlockNode n = Qemu.open(img, false, extra)) {
            for (Op op : ops) {
                TwinOps.apply(n, op);
            }
        }
    }

    static void compareAndCheck(Path mine, Path qemus) {
        Qemu.Result cmp = Qemu.run("qemu-img", "compare", mine.toString(), qemus.toString());
        assertEquals(0, cmp.exit(), "qemu-img compare: " + cmp.out());
        Qemu.Result check = Qemu.check(mine);
        assertEquals(0, check.exit(), "qemu-img check: " + check.out());
    }
}
