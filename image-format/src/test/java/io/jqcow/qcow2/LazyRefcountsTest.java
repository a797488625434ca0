package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockNode;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With lazy refcounts the image is marked dirty while in use, flushes less, and closes clean. */
class LazyRefcountsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @Test
    void lazyImageIsDirtyWhileOpenAndCleanAfterClose() throws Exception {
        int lazy = run("lazy_refcounts=on", Map.of());
        int ordered = run("lazy_refcounts=off", Map.of());
        assertTrue(lazy < ordered, "lazy " + lazy + " flushes vs ordered " + ordered);
        int forcedOff = run("lazy_refcounts=on", Map.of("lazy-refcounts", "off"));
        assertEquals(ordered, forcedOff, "the runtime option overrides the image bit");
    }

    private int run(String opts, Map<String, String> extra) throws Exception {
        Path img = dir.resolve("l" + System.nanoTime() + ".qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "4M");
        FileImageNode file = new FileImageNode(img, false);
        List<FileImageNode.Event> log = Collections.synchronizedList(new ArrayList<>());
        file.log = log;
        boolean lazy = opts.contains("=on") && !"off".equals(extra.get("lazy-refcounts"));
        int before;
        try (BlockNode n = new DriverNode(Qcow2Driver.open(file, false, false, extra, ChildOpener.NONE))) {
            // Allocations past the durable end of the file need their data flushed before the L2
            // entry in either mode; lazy refcounts save the refcount flush when space is reused.
            n.write(0, new byte[20 * 65536], 0, 20 * 65536);
            n.discard(0, 20 * 65536);
            n.flush();
            before = file.flushes.get();
            for (int i = 0; i < 20; i++) {
                n.write(i * 65536L + 100, new byte[] {(byte) i}, 0, 1);
                n.flush();
            }
            boolean dirtyOnDisk = false;
            for (FileImageNode.Event e : log) {
                if (e.offset() == 72 && e.data() != null) {
                    dirtyOnDisk = (ByteBuffer.wrap(e.data()).getLong(0) & 1) != 0;
                }
            }
            assertEquals(lazy, dirtyOnDisk, "dirty bit while open");
        }
        assertEquals(0, ByteBuffer.wrap(Files.readAllBytes(img)).getLong(72) & 1, "clean after close");
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        byte[] raw = Qemu.rawContents(img);
        for (int i = 0; i < 20; i++) {
            assertEquals((byte) i, raw[i * 65536 + 100]);
        }
        return file.flushes.get() - before;
    }
}
