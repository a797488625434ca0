package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * snapshot on twin copies: the same messages, exit status and snapshot list as qemu-img (dates
 * aside), and afterwards the same active contents, a clean qemu-img check, and the same snapshot
 * contents when a snapshot is applied.
 */
class SnapshotInteropTest {
    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("SnapshotInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 -o cluster_size=4k @src.qcow2 4M");
        twin.qemuIo("src.qcow2", "write -P 1 0 300k");
        twin.must("qemu-img", "snapshot -c base @src.qcow2");
        twin.qemuIo("src.qcow2", "write -P 2 64k 64k");
        twin.must("qemu-img", "create -q -f raw @src.raw 1M");
    }

    @ParameterizedTest(name = "snapshot {0}")
    @ValueSource(strings = {"-l @T", "@T", "-U -l @T", "-c s1 @T", "-c base @T", "-q -c s2 @T", "-a base @T",
        "-a 1 @T", "-a nope @T", "-d base @T", "-d 1 @T", "-d nope @T", "-l -c x @T", "-c x -d y @T", "-l",
        "-l @T extra", "--bogus @T", "-c", "-U -c x @T", "-l @missing", "-l @R", "-c x @R", "-a x @R", "-d x @R",
        "-f qcow2 -l @T"})
    void snapshotMatches(String args) throws Exception {
        prepare();
        Twin.Run q = twin.img("snapshot " + args);
        String qemuList = list();
        Files.copy(dir.resolve("T"), dir.resolve("Q"), StandardCopyOption.REPLACE_EXISTING);
        prepare();
        Twin.Run j = twin.jqcow("snapshot " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(undated(q.out()), undated(j.out()), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
        assertEquals(qemuList, list(), "snapshot list afterwards");
        Twin.Run check = twin.img("check @T");
        assertEquals(0, check.exit(), check.out() + check.err());
        Twin.Run same = twin.img("compare -f qcow2 -F qcow2 @Q @T");
        assertEquals(0, same.exit(), "active layer: " + same.out() + same.err());
    }

    private static String undated(String s) {
        return s.replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d", "DATE");
    }

    private static String list() throws Exception {
        return undated(twin.img("snapshot -l @T").out());
    }

    private static void prepare() throws Exception {
        Files.copy(dir.resolve("src.qcow2"), dir.resolve("T"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("src.raw"), dir.resolve("R"), StandardCopyOption.REPLACE_EXISTING);
    }
}
