package io.jqcow.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating images through the opener plumbing, with sizes taken from backing files. */
class ImageCreatorTest {
    @TempDir
    Path dir;

    private ImageCreator creator() {
        ImageOpener.ProtocolOpener p = o -> new FileImageNode(o.path(), o.readOnly());
        return new ImageCreator(p, new ImageOpener(p, DriverNode::new, w -> { }));
    }

    @Test
    void qcow2OverlayTakesBackingSizeAndMatchesQemu() throws Exception {
        Qemu.assumePresent();
        Qemu.img("create", "-q", "-f", "qcow2", dir.resolve("base.qcow2").toString(), "3M");
        Path mine = dir.resolve("mine.qcow2");
        creator().create(mine, "qcow2", -1, Map.of("backing_file", "base.qcow2", "backing_fmt", "qcow2"), true);
        Path theirs = dir.resolve("theirs.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", theirs.toString());
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(mine));
    }

    @Test
    void rawCreateAndMissingBacking() throws Exception {
        Path raw = dir.resolve("r.img");
        Files.write(raw, new byte[] {1, 2, 3});
        creator().create(raw, "raw", 4096, Map.of(), true);
        assertEquals(4096, Files.size(raw));
        assertEquals(0, Files.readAllBytes(raw)[0], "existing file is truncated first");
        BlockException e = assertThrows(BlockException.class, () -> creator().create(dir.resolve("o.qcow2"),
                "qcow2", -1, Map.of("backing_file", "nope.qcow2", "backing_fmt", "qcow2"), true));
        assertTrue(e.getMessage().contains("Could not open backing image"), e.getMessage());
    }

    @Test
    void createdQcow2OpensAndChecks() throws Exception {
        Qemu.assumePresent();
        Path img = dir.resolve("n.qcow2");
        creator().create(img, "qcow2", 5 << 20, Map.of("cluster_size", "4k", "refcount_bits", "8"), true);
        try (BlockNode n = Qemu.open(img, false)) {
            n.write(12345, new byte[] {5}, 0, 1);
        }
        assertEquals(0, Qemu.check(img).exit());
        assertEquals(5, Qemu.rawContents(img)[12345]);
    }
}
