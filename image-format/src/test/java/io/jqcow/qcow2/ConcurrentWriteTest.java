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
    @ValueSource(strings = {"cluster_size=4096", "cluster_size=4096,lazy_refcounts=on", "cluster_size=16384,extended_l2=on"})
    void concurrentAllocateAndFreeWholeClusters(String opts) throws Exception {
        Path img = dir.resolve("f.qcow2");
        int cs = opts.contains("16384") ? 16384 : 4096;
        int size = 4 << 20;
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), Integer.toString(size));
        byte[] model = new byte[size];
        int clusters = size / cs;
        try (BlockNode n = Qemu.open(img, false, Map.of("refcount-cache-size", "8k"))) {
            ExecutorService ex = Executors.newFixedThreadPool(THREADS + 1);
            List<Future<?>> fs = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(ex.submit(() -> {
                    Random r = new Random(thread * 17L + opts.hashCode());
                    for (int i = 0; i < 400; i++) {
                        int c = r.nextInt(clusters / THREADS) * THREADS + thread;
                        long base = (long) c * cs;
                        switch (r.nextInt(5)) {
                            case 0 -> {
                                n.discard(base, cs);
                                synchronized (model) {
                                    Arrays.fill(model, (int) base, (int) base + cs, (byte) 0);
                                }
                            }
                            case 1 -> {
                                n.writeZeroes(base, cs, io.jqcow.block.RequestFlags.MAY_UNMAP);
                                synchronized (model) {
                                    Arrays.fill(model, (int) base, (int) base + cs, (byte) 0);
                                }
                            }
                            default -> {
                                int off = r.nextInt(cs);
                                int len = 1 + r.nextInt(cs - off);
                                byte[] b = new byte[len];
                                Arrays.fill(b, (byte) (1 + r.nextInt(250)));
                                n.write(base + off, b, 0, len);
                                synchronized (model) {
                                    System.arraycopy(b, 0, model, (int) base + off, len);
                                }
                            }
                        }
                        byte[] got = new byte[cs];
                        n.read(base, got, 0, cs);
                        byte[] want;
                        synchronized (model) {
                            want = Arrays.copyOfRange(model, (int) base, (int) base + cs);
                        }
                        assertArrayEquals(want, got, "cluster " + c + " after op " + i);
                    }
                    return null;
                }));
            }
            fs.add(ex.submit(() -> {
                while (!done.get()) {
                    n.flush();
                    Thread.yield();
                }
                return null;
            }));
            for (int i = 0; i < THREADS; i++) {
                fs.get(i).get();
            }
            done.set(true);
            fs.get(THREADS).get();
            ex.shutdown();
        }
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertArrayEquals(model, Qemu.rawContents(img));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_size=4096", "cluster_size=16384,extended_l2=on", "cluster_size=512"})
    void mixedConcurrentOperationsWithFlushes(String opts) throws Exception {
        Path img = dir.resolve("m.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), Integer.toString(SIZE));
        byte[] model = new byte[SIZE];
        int stripes = SIZE / STRIPE;
        try (BlockNode n = Qemu.open(img, false, Map.of("l2-cache-size", "16k", "refcount-cache-size", "8k"))) {
            ExecutorService ex = Executors.newFixedThreadPool(THREADS + 1);
            List<Future<?>> fs = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(ex.submit(() -> {
                    Random r = new Random(thread * 31L + opts.hashCode());
                    for (int i = 0; i < 300; i++) {
                        int s = r.nextInt(stripes / THREADS) * THREADS + thread;
                        long base = (long) s * STRIPE;
                        int off = r.nextInt(STRIPE);
                        int len = 1 + r.nextInt(STRIPE - off);
                        if (r.nextInt(4) == 0) {
                            n.writeZeroes(base + off, len, r.nextBoolean() ? io.jqcow.block.RequestFlags.MAY_UNMAP : 0);
                            synchronized (model) {
                                Arrays.fill(model, (int) base + off, (int) base + off + len, (byte) 0);
                            }
                        } else {
                            byte[] b = new byte[len];
                            Arrays.fill(b, (byte) (1 + r.nextInt(250)));
                            n.write(base + off, b, 0, len);
                            synchronized (model) {
                                System.arraycopy(b, 0, model, (int) base + off, len);
                            }
                        }
                        byte[] got = new byte[STRIPE];
                        n.read(base, got, 0, STRIPE);
                        byte[] want;
                        synchronized (model) {
                            want = Arrays.copyOfRange(model, (int) base, (int) base + STRIPE);
                        }
                        assertArrayEquals(want, got, "stripe " + s + " after op " + i);
                    }
                    return null;
                }));
            }
            fs.add(ex.submit(() -> {
                while (!done.get()) {
                    n.flush();
                    Thread.yield();
                }
                return null;
            }));
            for (int i = 0; i < THREADS; i++) {
                fs.get(i).get();
            }
            done.set(true);
            fs.get(THREADS).get();
            ex.shutdown();
            assertArrayEquals(model, Qemu.readAll(n));
        }
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertArrayEquals(model, Qemu.rawContents(img));
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
