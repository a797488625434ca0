package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that runs out of space on a real, tiny tmpfs reports ENOSPC. Needs root for mount. */
class FullFilesystemTest {
    @TempDir
    Path dir;

    @Test
    void writePastCapacityIsEnospc() throws Exception {
        if (!TestSupport.isRoot()) {
            System.out.println("SKIP FullFilesystemTest: mount needs root");
        }
        assumeTrue(TestSupport.isRoot(), "mount needs root");
        TestSupport.assumeTool("mount");
        Path mnt = dir.resolve("mnt");
        java.nio.file.Files.createDirectory(mnt);
        TestSupport.Result m = TestSupport.run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString());
        if (m.exit() != 0) {
            System.out.println("SKIP FullFilesystemTest: mount failed: " + m.output());
        }
        assumeTrue(m.exit() == 0, "mount failed");
        try {
            Path p = TestSupport.newFile(mnt, "f.img", new byte[0]);
            FilePosixDriver d = FilePosix.openDriver(FileOptions.defaults(p, false));
            try {
                byte[] big = TestSupport.pattern(1 << 20, 9);
                BlockException e = assertThrows(BlockException.class,
                        () -> d.write(RequestContext.NONE, 0, IoVector.of(TestSupport.direct(big, 4096)), 0));
                assertEquals(Errno.ENOSPC, e.errno());
                assertTrue(e.getMessage().endsWith("No space left on device"), e.getMessage());
                assertTrue(e.offset() > 0 && e.offset() <= 256 * 1024, "fails where space ran out: " + e.offset());
            } finally {
                d.close();
            }
        } finally {
            TestSupport.run("umount", mnt.toString());
        }
    }
}
