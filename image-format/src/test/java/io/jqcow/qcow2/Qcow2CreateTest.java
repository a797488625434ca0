package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Fresh images from Qcow2Create are byte-identical to qemu-img create's. */
class Qcow2CreateTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "'';64M", "cluster_size=512;10M", "cluster_size=4k,refcount_bits=1;100M", "compat=0.10;1M",
        "refcount_bits=64,cluster_size=2M;5G", "lazy_refcounts=on;1G", "extended_l2=on;3M",
        "compression_type=zstd;1M", "preallocation=metadata;200M", "preallocation=metadata,cluster_size=4k;9M",
        "'';0", "cluster_size=16k;1000000",
        "preallocation=metadata,extended_l2=on;2M", "data_file=img.data;2M", "data_file=img.data,data_file_raw=on;1M",
        "backing_file=base.qcow2,backing_fmt=qcow2;1M", "preallocation=metadata,cluster_size=512;3M",
        "preallocation=falloc;3M", "preallocation=full,cluster_size=4k;5M", "preallocation=falloc,cluster_size=4k;9M",
        "preallocation=full,cluster_size=512,refcount_bits=8;2M", "'';1T",
        "cluster_size=2M,extended_l2=on;1P"})
    void matchesQemuImgByteForByte(String opts, String size) throws Exception {
        Path q = Files.createDirectories(dir.resolve("q"));
        Path j = Files.createDirectories(dir.resolve("j"));
        for (Path d : new Path[] {q, j}) {
            Qemu.img("create", "-q", "-f", "qcow2", d.resolve("base.qcow2").toString(), "1M");
        }
        // qemu-img resolves a relative data_file against its working directory: use one absolute name.
        Path shared = dir.resolve("shared.data");
        opts = opts.replace("img.data", shared.toString());
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts.isEmpty() ? "cluster_size=65536" : opts,
                q.resolve("img.qcow2").toString(), size);
        long qemuDataSize = Files.exists(shared) ? Files.size(shared) : -1;
        Map<String, String> map = new HashMap<>();
        for (String kv : opts.split(",")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=", 2);
                map.put(p[0], p[1]);
            }
        }
        Qcow2CreateOptions o = Qcow2CreateOptions.parse(map, Qcow2Options.parseSize("size", size));
        FileImageNode file = new FileImageNode(j.resolve("img.qcow2"), false);
        Files.deleteIfExists(shared);
        FileImageNode data = o.dataFile() == null ? null : new FileImageNode(shared, false);
        Qcow2Create.create(file, o, data, -1);
        file.close();
        if (data != null) {
            data.close();
            assertEquals(qemuDataSize, Files.size(shared), "data file size");
        }
        byte[] expected = Files.readAllBytes(q.resolve("img.qcow2"));
        byte[] got = Files.readAllBytes(j.resolve("img.qcow2"));
        assertEquals(expected.length, got.length, "file length");
        assertArrayEquals(expected, got);
        assertEquals(0, Qemu.check(j.resolve("img.qcow2")).exit());
    }

    @Test
    void hugeL1WithSmallClustersIsConsistent() throws Exception {
        // qemu-img places the refcount blocks for a 51200-cluster L1 differently; ours must still check clean.
        Path img = dir.resolve("big.qcow2");
        FileImageNode file = new FileImageNode(img, false);
        Qcow2Create.create(file, Qcow2CreateOptions.parse(Map.of("cluster_size", "512"), 100L << 30), null, -1);
        file.close();
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        try (BlockNode n = Qemu.open(img, false)) {
            n.write(99L << 30, new byte[] {1, 2, 3}, 0, 3);
        }
        assertEquals(0, Qemu.check(img).exit());
    }

    @Test
    void takesSizeFromBacking() throws Exception {
        Path img = dir.resolve("o.qcow2");
        Qcow2CreateOptions o = Qcow2CreateOptions.parse(Map.of("backing_file", "b.qcow2", "backing_fmt", "qcow2"), -1);
        FileImageNode file = new FileImageNode(img, false);
        Qcow2Create.create(file, o, null, 5 << 20);
        file.close();
        Qemu.img("create", "-q", "-f", "qcow2", dir.resolve("b.qcow2").toString(), "5M");
        assertTrue(Qemu.ok("qemu-img", "info", img.toString()).contains("virtual size: 5 MiB"));
        try (BlockNode n = Qemu.open(img, true)) {
            assertEquals(5 << 20, n.length());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "cluster_size=1000;Cluster size must be a power of two between 512 and 2048k",
        "refcount_bits=3;Refcount width must be a power of two and may not exceed 64 bits",
        "compat=0.10,refcount_bits=8;Different refcount widths than 16 bits require compatibility level 1.1",
        "compat=0.10,lazy_refcounts=on;Lazy refcounts only supported with compatibility level 1.1",
        "extended_l2=on,cluster_size=4k;Extended L2 entries are only supported with cluster sizes of at least",
        "backing_fmt=raw;Backing format cannot be used without backing file",
        "data_file_raw=on;data-file-raw requires data-file",
        "compression_type=lz4;does not accept value 'lz4'",
        "preallocation=metadata,backing_file=b;Backing file and preallocation can only be used",
        "encryption=on;encryption not supported"})
    void rejectsBadOptionsLikeQemu(String opts, String message) {
        Map<String, String> map = new HashMap<>();
        for (String kv : opts.split(",")) {
            String[] p = kv.split("=", 2);
            map.put(p[0], p[1]);
        }
        BlockException e = assertThrows(BlockException.class, () -> Qcow2CreateOptions.parse(map, 1 << 20));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void rejectsTooLargeImage() {
        BlockException e = assertThrows(BlockException.class,
                () -> Qcow2CreateOptions.parse(Map.of("cluster_size", "512"), 129L << 30));
        assertTrue(e.getMessage().contains("too large"));
    }
}
