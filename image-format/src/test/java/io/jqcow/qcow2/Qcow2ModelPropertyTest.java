package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.block.BlockNode;
import io.jqcow.testing.Qemu;
import io.jqcow.testing.TwinOps;
import io.jqcow.testing.TwinOps.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random write/zero/discard sequences behave like a byte array, and every image checks clean. */
class Qcow2ModelPropertyTest {
    static final int SIZE = 1 << 20;

    @BeforeContainer
    static void qemu() {
        Qemu.assumePresent();
    }

    @Property(tries = 30)
    void imageBehavesLikeByteArray(@ForAll("layouts") String layout, @ForAll("ops") List<Op> ops) throws Exception {
        Path dir = Files.createTempDirectory("jqcow-prop");
        try {
            Path img = dir.resolve("p.qcow2");
            Qemu.img("create", "-q", "-f", "qcow2", "-o", layout, img.toString(), Integer.toString(SIZE));
            int cs = clusterSize(layout);
            byte[] model = new byte[SIZE];
            try (BlockNode n = Qemu.open(img, false)) {
                for (Op op : ops) {
                    TwinOps.apply(n, op);
                    applyToModel(model, op, cs);
                    if (op.offset() % 3 == 0) {
                        byte[] got = new byte[op.length()];
                        n.read(op.offset(), got, 0, got.length);
                        assertArrayEquals(Arrays.copyOfRange(model, (int) op.offset(), (int) op.offset() + op.length()),
                                got, "after " + op);
                    }
                }
                assertArrayEquals(model, Qemu.readAll(n));
            }
            Qemu.Result check = Qemu.check(img);
            assertEquals(0, check.exit(), layout + " " + ops + "\n" + check.out());
            List<String> lines = new ArrayList<>();
            io.jqcow.testing.FileImageNode checked = new io.jqcow.testing.FileImageNode(img, true);
            io.jqcow.qcow2.check.CheckResult mine;
            try {
                mine = new io.jqcow.qcow2.check.Qcow2Check(checked).check(io.jqcow.qcow2.check.CheckMode.NONE, lines::add);
            } finally {
                checked.close();
            }
            assertEquals(0, mine.exitCode(), "jqcow's own check: " + lines);
            assertArrayEquals(model, Qemu.rawContents(img), "qemu reads the same guest");
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Discard of whole clusters reads back as zero in a v3 image without backing; partial clusters stay. */
    static void applyToModel(byte[] model, Op op, int cs) {
        if (op.kind() == TwinOps.Kind.DISCARD) {
            long from = (op.offset() + cs - 1) / cs * cs;
            long to = (op.offset() + op.length()) / cs * cs;
            if (op.offset() + op.length() == SIZE) {
                to = SIZE;
            }
            if (to > from) {
                Arrays.fill(model, (int) from, (int) to, (byte) 0);
            }
        } else {
            TwinOps.apply(model, op);
        }
    }

    static int clusterSize(String layout) {
        for (String kv : layout.split(",")) {
            if (kv.startsWith("cluster_size=")) {
                return Integer.parseInt(kv.substring(13));
            }
        }
        return 65536;
    }

    @Provide
    Arbitrary<String> layouts() {
        return Arbitraries.of("cluster_size=512", "cluster_size=4096", "cluster_size=65536",
                "cluster_size=16384,extended_l2=on", "cluster_size=4096,refcount_bits=2", "compat=0.10,cluster_size=4096");
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<TwinOps.Kind> kind = Arbitraries.of(TwinOps.Kind.WRITE, TwinOps.Kind.WRITE, TwinOps.Kind.WRITE,
                TwinOps.Kind.ZERO, TwinOps.Kind.ZERO_UNMAP, TwinOps.Kind.DISCARD);
        Arbitrary<Integer> off = Arbitraries.oneOf(Arbitraries.integers().between(0, SIZE - 1),
                Arbitraries.integers().between(0, SIZE / 4096 - 1).map(i -> i * 4096));
        Arbitrary<Integer> len = Arbitraries.oneOf(Arbitraries.integers().between(1, 9000),
                Arbitraries.integers().between(1, 40).map(i -> i * 4096));
        Arbitrary<Integer> pattern = Arbitraries.integers().between(1, 255);
        Arbitrary<Op> op = Combinators.combine(kind, off, len, pattern).as((k, o, l, p) -> {
            int length = Math.min(l, SIZE - o);
            return new Op(k, o, length, p);
        });
        return op.list().ofMinSize(1).ofMaxSize(25);
    }
}
