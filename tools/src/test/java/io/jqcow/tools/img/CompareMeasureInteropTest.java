package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** compare and measure against qemu-img on the same images: same stdout, stderr and exit status. */
class CompareMeasureInteropTest {
    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("CompareMeasureInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @a.qcow2 8M");
        io("a.qcow2", "write -P 1 0 128k");
        twin.must("qemu-img", "create -q -f qcow2 -b a.qcow2 -F qcow2 @c.qcow2");
        io("c.qcow2", "write -P 2 512k 64k");
        twin.must("qemu-img", "create -q -f qcow2 @m1.qcow2 8M");
        twin.must("qemu-img", "create -q -f qcow2 @m2.qcow2 16M");
        twin.must("qemu-img", "create -q -f qcow2 @big.qcow2 16M");
        io("big.qcow2", "write -P 9 12M 1k");
        twin.must("qemu-img", "create -q -f qcow2 @zero.qcow2 8M");
        io("zero.qcow2", "write -z 0 64k");
        twin.must("qemu-img", "create -q -f qcow2 @zdata.qcow2 8M");
        io("zdata.qcow2", "write -P 0 0 64k");
        twin.must("qemu-img", "create -q -f qcow2 @odd.qcow2 8M");
        io("odd.qcow2", "write -P 0 0 64k", "write -P 1 1000 1");
        twin.must("qemu-img", "convert -O raw @c.qcow2 @c.raw");
        twin.must("qemu-img", "convert -c -O qcow2 @c.qcow2 @cz.qcow2");
        twin.must("qemu-img", "create -q -f qcow2 -o preallocation=metadata @pm.qcow2 2M");
        twin.must("qemu-img", "create -q -f qcow2 -o compat=0.10 @v2.qcow2 2M");
        Files.write(dir.resolve("un.raw"), new byte[65636]);
        twin.must("qemu-img", "create -q -f qcow2 @bm.qcow2 64M");
        twin.must("qemu-img", "bitmap --add @bm.qcow2 b0");
        twin.must("qemu-img", "bitmap --add -g 1M --disable @bm.qcow2 second_bitmap");
    }

    private static void io(String image, String... commands) throws Exception {
        for (String c : commands) {
            Process p = new ProcessBuilder("qemu-io", "-c", c, dir.resolve(image).toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("qemu-io " + c + " failed");
            }
        }
    }

    @ParameterizedTest(name = "compare {0}")
    @ValueSource(strings = {"@a.qcow2 @c.qcow2", "@c.qcow2 @c.raw", "-s @c.qcow2 @c.raw", "@c.qcow2 @cz.qcow2",
        "@m1.qcow2 @m2.qcow2", "@m2.qcow2 @m1.qcow2", "-s @m1.qcow2 @m2.qcow2", "@m1.qcow2 @big.qcow2",
        "@big.qcow2 @m1.qcow2", "@m1.qcow2 @zero.qcow2", "-s @m1.qcow2 @zero.qcow2", "@m1.qcow2 @zdata.qcow2",
        "-s @zdata.qcow2 @m1.qcow2", "@zdata.qcow2 @odd.qcow2", "-q @a.qcow2 @c.qcow2", "-p @m1.qcow2 @m1.qcow2",
        "-p @a.qcow2 @c.qcow2", "@m1.qcow2 @missing.qcow2", "-T bogus @m1.qcow2 @m1.qcow2", "@m1.qcow2",
        "-f raw -F raw @un.raw @un.raw", "-f qcow2 @un.raw @m1.qcow2", "-U @pm.qcow2 @m1.qcow2"})
    void compareMatches(String args) throws Exception {
        Twin.Run q = twin.img("compare " + args);
        Twin.Run j = twin.jqcow("compare " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
    }

    @ParameterizedTest(name = "measure {0}")
    @ValueSource(strings = {"--size 1G -O qcow2", "--size 1G", "--size 1G -O qcow2 -o cluster_size=4096",
        "--size 1G -O qcow2 -o refcount_bits=1", "--size 3G -O qcow2 -o refcount_bits=64,cluster_size=512",
        "--size 1G -O qcow2 -o extended_l2=on", "--size 1G -O qcow2 -o extended_l2=on,cluster_size=2M",
        "--size 1G -O qcow2 -o preallocation=metadata", "--size 1G -O qcow2 -o preallocation=full",
        "--size 5G -O qcow2 -o preallocation=falloc,cluster_size=32k", "--size 100T -O qcow2",
        "--size 1000 -O qcow2", "--size 1000 -O raw", "--size 1G -O qcow2 --output=json", "-O qcow2 @a.qcow2",
        "-O qcow2 @c.qcow2", "-O raw @c.qcow2", "-O qcow2 -o cluster_size=512 @c.qcow2 --output=json",
        "-O qcow2 -o cluster_size=2M,extended_l2=on @c.qcow2", "-O qcow2 @cz.qcow2", "-O qcow2 @pm.qcow2",
        "-O qcow2 @v2.qcow2", "-O qcow2 @bm.qcow2", "-O qcow2 -o cluster_size=512 @bm.qcow2 --output=json", "-O qcow2 -f raw @un.raw", "-O qcow2 -f raw @c.qcow2",
        "-O qcow2 -o preallocation=full @c.qcow2 --output=json", "-O qcow2", "--size 1G -O qcow2 @a.qcow2",
        "--size 1G -O vmdk", "--size 1G -O nope", "--size xx -O qcow2", "--size 1G -O qcow2 -o foo=1",
        "--size 1G -O qcow2 -o cluster_size=1000", "--size 1G -O qcow2 -o compat=0.10,refcount_bits=8",
        "--size 1G -O qcow2 -o preallocation=xx", "--size 1G --output=xml", "-O qcow2 @missing.qcow2",
        "--size 100T -O qcow2 -o cluster_size=512,refcount_bits=64"})
    void measureMatches(String args) throws Exception {
        Twin.Run q = twin.img("measure " + args);
        Twin.Run j = twin.jqcow("measure " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
    }
}
