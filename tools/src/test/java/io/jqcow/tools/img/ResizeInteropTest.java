package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * resize on twin copies: same messages and exit status as qemu-img, the same resulting virtual size
 * and file length, and a resized qcow2 still passes qemu-img check and reads like qemu's result.
 */
class ResizeInteropTest {
    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("ResizeInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @src.qcow2 2M");
        Process p = new ProcessBuilder("qemu-io", "-c", "write -P 1 512k 64k", dir.resolve("src.qcow2").toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        twin.must("qemu-img", "create -q -f raw @src.raw 1M");
    }

    @ParameterizedTest(name = "resize {0}")
    @ValueSource(strings = {"@T +1G", "@T 1M", "--shrink @T 256k", "--shrink @T 1M", "-q @T 3M", "@T -1M",
        "--shrink @T -1M", "--shrink @T -2M", "@T xyz", "--preallocation=xx @T 3M",
        "--shrink --preallocation=full @T 512k", "@T 1M 2M", "@T", "@T +0", "@T 9E", "-U @T 2M",
        "--shrink @T 0", "@T -- -1k", "@T -- +1k", "-f raw @R 100000", "-f raw --shrink @R 1000",
        "-f raw --preallocation=full @R 2M", "-f raw --preallocation=falloc @R +1M", "-f raw @R +1k", "--preallocation=full @T +1M", "--preallocation=falloc @T 3M",
        "@missing 1M"})
    void resizeMatches(String args) throws Exception {
        prepare();
        Twin.Run q = twin.img("resize " + args);
        String qemuState = state();
        String qemuCheck = twin.img("check @T").out();
        prepare();
        Twin.Run j = twin.jqcow("resize " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
        assertEquals(qemuState, state(), "virtual size and raw file length");
        Twin.Run check = twin.img("check @T");
        assertEquals(0, check.exit(), check.out() + check.err());
        // the host layout may differ (preallocated growth), the allocation may not
        assertEquals(layoutFree(qemuCheck), layoutFree(check.out()));
    }

    private static String layoutFree(String check) {
        return check.replaceAll("Image end offset: \\d+", "").replaceAll("[0-9.]+% fragmented", "");
    }

    private static void prepare() throws Exception {
        Files.copy(dir.resolve("src.qcow2"), dir.resolve("T"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("src.raw"), dir.resolve("R"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String state() throws Exception {
        Twin.Run info = twin.img("info --output=json @T");
        long size = new ObjectMapper().readTree(info.out()).get("virtual-size").asLong();
        return size + " " + Files.size(dir.resolve("R"));
    }
}
