package io.jqcow.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw driver passes I/O through, shifted by its window, and reports host offsets in the file. */
class RawDriverTest {
    @TempDir
    Path dir;

    @Test
    void windowShiftsIoAndStatus() throws Exception {
        Path f = dir.resolve("disk.img");
        Files.write(f, new byte[8192]);
        FileImageNode file = new FileImageNode(f, false);
        try (BlockNode n = new DriverNode(new RawDriver(file, 4096, 2048, false))) {
            n.write(10, new byte[] {1, 2, 3}, 0, 3);
            BlockStatus st = n.blockStatus(10, 100);
            assertEquals(4096 + 10, st.hostOffset());
            assertEquals(file, st.hostFile());
            BlockException e = assertThrows(BlockException.class, () -> n.truncate(100, true, PreallocMode.OFF));
            assertEquals(Errno.ENOTSUP, e.errno());
        }
        byte[] on = Files.readAllBytes(f);
        assertArrayEquals(new byte[] {1, 2, 3}, new byte[] {on[4106], on[4107], on[4108]});
    }

    @Test
    void wholeFileRawResizesAndGuardsOnlyWhenAsked() throws Exception {
        Path f = dir.resolve("disk.img");
        Files.write(f, new byte[4096]);
        try (BlockNode n = new DriverNode(new RawDriver(new FileImageNode(f, false), 0, -1, true))) {
            assertThrows(BlockException.class, () -> n.writeZeroes(0, 512, 0));
            assertThrows(BlockException.class, () -> n.discard(100, 10));
            n.truncate(1 << 20, true, PreallocMode.OFF);
            assertEquals(1 << 20, n.length());
        }
        assertEquals(1 << 20, Files.size(f));
    }
}
