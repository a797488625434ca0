package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Many threads writing interleaved stripes (sharing clusters) lose nothing and leave a clean image. */
class ConcurrentWriteTest {
    static final int SIZE = 2 << 20;
    static final int STRIPE = 1536;
    static final int THREADS = 8;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_size=4096", "cluster_size=65536", "cluster_size=16384,extended_l2=on",
        "cluster_size=4096;backing", "cluster_size=512,refcount_bits=4"})
    void interleavedStripes(String spec) throws Exception {
        String opts = spec.replace(";backing", "");
        boolean backing = spec.endsWith(";backing");
        Path img = dir.resolve("c.qcow2");
        byte[] model = new byte[SIZE];
        if (backing) {
            Path base = dir.resolve("base.qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", base.toString(), Integer.toString(SIZE));
            Qemu.io(base, "write -P 0xee 0 " + SIZE);
            Arrays.fill(model, (byte) 0xee);
            Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, "-b", base.toString(), "-F", "qcow2", img.toString());
        } else {
            Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), Integer.toString(SIZE));
        }
        List<Integer> stripes = new ArrayList<>();
        for (int i = 0; i < SIZE / STRIPE; i++) {
            stripes.add(i);
        }
        Collections.shuffle(stripes, new Random(spec.hashCode()));
        try (BlockNode n = Qemu.open(img, false, Map.of("l2-cache-size", "64k"))) {
            ExecutorService ex = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(ex.submit(() -> {
                    for (int s : stripes) {
                        if (s % THREADS == thread) {
                            byte[] b = new byte[STRIPE];
                            Arrays.fill(b, (byte) (s % 251 + 1));
                            n.write((long) s * STRIPE, b, 0, STRIPE);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            ex.shutdown();
            for (int s : stripes) {
                Arrays.fill(model, s * STRIPE, s * STRIPE + STRIPE, (byte) (s % 251 + 1));
            }
            assertArrayEquals(model, Qemu.readAll(n));
        }
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertArrayEquals(model, Qemu.rawContents(img));
        assertEquals(true, Files.size(img) < 3L * SIZE);
    }
}
