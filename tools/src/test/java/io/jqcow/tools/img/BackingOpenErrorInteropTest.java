package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A missing backing file: the same one-line error and exit status as qemu-img, in every command that opens the chain. */
class BackingOpenErrorInteropTest {
    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("BackingOpenErrorInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @base.qcow2 1M");
        twin.must("qemu-img", "create -q -f qcow2 -b base.qcow2 -F qcow2 @top.qcow2");
        Files.delete(dir.resolve("base.qcow2"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"convert -O raw @top.qcow2 @out.raw", "compare @top.qcow2 @top.qcow2",
        "map @top.qcow2", "info --backing-chain @top.qcow2", "measure -O qcow2 @top.qcow2"})
    void sameMessage(String args) throws Exception {
        Twin.Run q = twin.img(args);
        Twin.Run j = twin.jqcow(args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.err(), j.err(), "stderr");
        assertEquals(q.out(), j.out(), "stdout");
    }
}
