package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random writes, zero writes and discards (through qemu-io) on images of several layouts and on
 * an overlay; map, compare and measure must then print exactly what qemu-img prints.
 */
class RandomImagesInteropTest {
    private static final String[] LAYOUTS = {"cluster_size=64k", "cluster_size=4k,refcount_bits=8",
        "cluster_size=32k,extended_l2=on", "compat=0.10,cluster_size=16k", "cluster_size=2M,extended_l2=on"};

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Twin.assumeQemuImg("RandomImagesInteropTest");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 14, 29})
    void mapCompareMeasureMatch(int seed) throws Exception {
        Random rnd = new Random(seed);
        Twin twin = new Twin(dir);
        String layout = LAYOUTS[seed % LAYOUTS.length];
        long size = (1 + rnd.nextInt(8)) << 20;
        twin.must("qemu-img", "create -q -f qcow2 -o " + layout + " @base.qcow2 " + size);
        io(randomOps(rnd, size, seed % 5 != 3), "base.qcow2");
        twin.must("qemu-img", "create -q -f qcow2 -o " + layout + " -b base.qcow2 -F qcow2 @top.qcow2");
        io(randomOps(rnd, size, seed % 5 != 3), "top.qcow2");
        twin.must("qemu-img", "create -q -f qcow2 @other.qcow2 " + size);
        io(randomOps(rnd, size, true), "other.qcow2");
        twin.must("qemu-img", "convert -O raw @top.qcow2 @flat.raw");
        for (String args : List.of("map --output=json @top.qcow2", "map --output=json @base.qcow2",
                "map @base.qcow2", "compare @top.qcow2 @flat.raw", "compare -s @top.qcow2 @flat.raw",
                "compare @base.qcow2 @top.qcow2", "compare @top.qcow2 @other.qcow2",
                "compare @other.qcow2 @base.qcow2", "measure -O qcow2 @top.qcow2",
                "measure -O qcow2 -o cluster_size=4k @base.qcow2", "measure -O qcow2 -f raw @flat.raw")) {
            Twin.Run q = twin.img(args);
            Twin.Run j = twin.jqcow(args);
            assertEquals(q.exit(), j.exit(), args + "; ours: " + j.err());
            assertEquals(q.out(), j.out(), args);
            assertEquals(q.err(), j.err(), args);
        }
    }

    /** Aligned-to-512 operations; zero writes and discards only where the format has zero clusters. */
    private static List<String> randomOps(Random rnd, long size, boolean zeroes) {
        List<String> ops = new ArrayList<>();
        int n = 3 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            long off = (long) rnd.nextInt((int) (size / 512)) * 512;
            long len = Math.min(size - off, (1 + rnd.nextInt(256)) * 512L);
            int kind = zeroes ? rnd.nextInt(4) : 0;
            ops.add(switch (kind) {
                case 1 -> "write -z " + off + " " + len;
                case 2 -> "discard " + off + " " + len;
                case 3 -> "write -P 0 " + off + " " + len;
                default -> "write -P " + (1 + rnd.nextInt(200)) + " " + off + " " + len;
            });
        }
        return ops;
    }

    private void io(List<String> ops, String image) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-io"));
        for (String op : ops) {
            cmd.add("-c");
            cmd.add(op);
        }
        cmd.add(dir.resolve(image).toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }
}
