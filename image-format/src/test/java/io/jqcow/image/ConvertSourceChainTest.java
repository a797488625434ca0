package io.jqcow.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.block.BlockNode;
import io.jqcow.image.ConvertSourceChain.Extent;
import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block status through a backing chain made by qemu: base (4M) has data at 0-1M, the top (6M) has
 * data at 2M-3M and a zero cluster at 512k; everything else is unallocated. Targets with their own
 * backing see the top's holes as BACKING, others see through to the base and beyond its end.
 */
class ConvertSourceChainTest {
    @TempDir
    Path dir;
    Path top;

    @BeforeEach
    void chain() {
        Qemu.assumePresent();
        Path base = dir.resolve("base.qcow2");
        top = dir.resolve("top.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "4M");
        Qemu.io(base, "write -P 1 0 1M");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top.toString(), "6M");
        Qemu.io(top, "write -P 2 2M 1M", "write -z 512k 64k");
    }

    /** Kind at every 64K cluster, walking status answers (each must start where asked). */
    private static Kind[] kinds(ConvertSourceChain chain, long size) throws Exception {
        Kind[] out = new Kind[(int) (size / 65536)];
        long pos = 0;
        while (pos < size) {
            Extent e = chain.status(pos, size - pos);
            for (long c = pos / 65536; c < (pos + e.length()) / 65536; c++) {
                out[(int) c] = e.kind();
            }
            pos += e.length();
        }
        return out;
    }

    private static Kind expected(long cluster, boolean topOnly) {
        long off = cluster * 65536;
        if (off >= (512 << 10) && off < (576 << 10)) {
            return Kind.ZERO;
        }
        if (off >= (2 << 20) && off < (3 << 20)) {
            return Kind.DATA;
        }
        if (topOnly) {
            return Kind.BACKING;
        }
        return off < (1 << 20) ? Kind.DATA : Kind.ZERO;
    }

    @Test
    void seesThroughTheChainOrStopsAtTheTop() throws Exception {
        assertEquals(true, Files.exists(top));
        try (BlockNode node = Qemu.open(top, true, Map.of())) {
            for (boolean topOnly : new boolean[] {false, true}) {
                Kind[] got = kinds(new ConvertSourceChain(node, topOnly), node.length());
                for (int c = 0; c < got.length; c++) {
                    assertEquals(expected(c, topOnly), got[c], "cluster " + c + " topOnly=" + topOnly);
                }
            }
            assertEquals(null, ConvertSourceChain.backingOf(ConvertSourceChain.backingOf(node)));
        }
    }
}
