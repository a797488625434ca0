package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Clusters written compressed by jqcow read back in qemu, pack tightly, and check clean. */
class CompressedWriteTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @CsvSource({"zlib,65536", "zstd,65536", "zlib,4096", "zstd,16384", "zlib,2097152"})
    void compressedClustersMatchSource(String type, int clusterSize) throws Exception {
        int clusters = clusterSize >= 1 << 20 ? 3 : 24;
        long size = (long) clusters * clusterSize - 1536; // a partial last cluster
        byte[] src = new byte[(int) size];
        Random r = new Random(5);
        for (int c = 0; c < clusters; c++) {
            int from = c * clusterSize;
            int to = (int) Math.min(size, from + (long) clusterSize);
            if (c % 4 == 1) {
                byte[] rnd = new byte[to - from];
                r.nextBytes(rnd);
                System.arraycopy(rnd, 0, src, from, rnd.length);
            } else if (c % 4 != 3) {
                for (int i = from; i < to; i++) {
                    src[i] = (byte) ((i / 7) % 13 + c);
                }
            }
        }
        Path img = dir.resolve("c.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "compression_type=" + type + ",cluster_size=" + clusterSize,
                img.toString(), Long.toString(size));
        try (BlockNode n = Qemu.open(img, false)) {
            Qcow2Driver d = (Qcow2Driver) n.driver();
            for (int c = 0; c < clusters; c++) {
                int from = c * clusterSize;
                int len = (int) Math.min(clusterSize, size - from);
                d.writeCompressed(from, IoVector.wrap(src, from, len));
            }
            assertArrayEquals(src, Qemu.readAll(n));
            BlockException again = assertThrows(BlockException.class,
                    () -> d.writeCompressed(0, IoVector.wrap(src, 0, clusterSize)));
            assertTrue(again.getMessage().contains("allocated"));
        }
        Path raw = dir.resolve("src.raw");
        Files.write(raw, src);
        Qemu.Result cmp = Qemu.run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", img.toString(), raw.toString());
        assertEquals(0, cmp.exit(), cmp.out());
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertTrue(check.out().contains("compressed clusters"), check.out());
        String map = Qemu.ok("qemu-img", "map", "--output=json", img.toString());
        if (clusterSize <= 65536) {
            assertTrue(Files.size(img) < size, "compressed image should be smaller than its contents");
        }
        assertTrue(map.contains("\"compressed\": true") || map.contains("\"data\": true"), map);
    }
}
