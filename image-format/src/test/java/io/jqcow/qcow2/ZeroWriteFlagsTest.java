package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.RequestFlags;
import io.jqcow.testing.Qemu;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** write-zeroes flags: NO_FALLBACK refuses slow partial zeroing; MAY_UNMAP decides what stays allocated. */
class ZeroWriteFlagsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @Test
    void noFallbackRefusesPartialClustersButZeroesWholeOnes() throws Exception {
        Path img = dir.resolve("z.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "1M");
        Qemu.io(img, "write -P 0x7 0 256k");
        try (BlockNode n = Qemu.open(img, false)) {
            BlockException e = assertThrows(BlockException.class,
                    () -> n.writeZeroes(100, 70000, RequestFlags.NO_FALLBACK));
            assertEquals(Errno.ENOTSUP, e.errno());
            byte[] b = new byte[70000];
            n.read(100, b, 0, b.length);
            assertTrue(allEqual(b, (byte) 7), "a refused request changes nothing");
            n.writeZeroes(65536, 65536, RequestFlags.NO_FALLBACK);
            BlockStatus kept = n.blockStatus(65536, 65536);
            assertTrue(kept.zero() && kept.hasHostOffset(), "without MAY_UNMAP the cluster stays allocated");
            n.writeZeroes(131072, 65536, RequestFlags.NO_FALLBACK | RequestFlags.MAY_UNMAP);
            BlockStatus gone = n.blockStatus(131072, 65536);
            assertTrue(gone.zero() && !gone.hasHostOffset(), "MAY_UNMAP frees the cluster");
            n.writeZeroes(300000, 5000, RequestFlags.NO_FALLBACK); // already zero: nothing to do
        }
        assertEquals(0, Qemu.check(img).exit());
    }

    private static boolean allEqual(byte[] b, byte v) {
        byte[] e = new byte[b.length];
        Arrays.fill(e, v);
        return Arrays.equals(b, e);
    }
}
