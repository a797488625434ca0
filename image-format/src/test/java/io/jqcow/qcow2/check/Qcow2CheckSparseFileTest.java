package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockNode;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FileOptions;
import io.jqcow.testing.Qemu;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check over the real posix file node of an image whose file is a 1 TiB sparse file (16 Mi host
 * clusters) with a leaked cluster near its end: the result matches qemu-img, and the IMRT only holds
 * the pages that carry references.
 */
class Qcow2CheckSparseFileTest {

    @Test
    void hugeSparseFileMatchesQemuAndStaysSmall(@TempDir Path dir) throws Exception {
        Qemu.assumePresent();
        Path img = CheckScenarios.written(dir, "cluster_size=65536");
        long tib = 1L << 40;
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(tib);
        }
        try (ImageDamage d = new ImageDamage(img)) {
            // Refcount block 0 covers 32768 clusters; point entry 1 nowhere but leak in block 0's range.
            d.setRefcount(32000, 1);
        }
        QemuCheckRun expected = QemuCheckRun.run(img);
        try (RequestThreads threads = new RequestThreads();
             BlockNode node = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null)
                     .open(FileOptions.defaults(img, true))) {
            List<String> log = new ArrayList<>();
            Qcow2Check check = new Qcow2Check(node);
            CheckResult r = check.check(CheckMode.NONE, log::add);
            assertEquals(expected.counters(), QemuCheckRun.countersOf(r));
            assertEquals(expected.exit(), r.exitCode());
            assertEquals(expected.stderr(), log);

            CheckImage image = check.load(CheckLog.SILENT);
            CheckCounters res = new CheckCounters();
            ReferenceWalk walk = new ReferenceWalk(image, res, CheckMode.NONE);
            walk.run(CheckSnapshots.read(node, image.header, res, CheckLog.SILENT, CheckMode.NONE));
            assertEquals(tib >>> 16, walk.counts.size(), "the IMRT spans every host cluster of the file");
            assertTrue(walk.counts.allocatedPages() <= 1, "pages: " + walk.counts.allocatedPages());
        }
    }
}
