package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * info and map on images qemu-img and qemu-io made: the JSON must parse to the same values (host
 * allocation aside), and the human output and map's own JSON printer must match byte for byte.
 */
class InfoMapInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("InfoMapInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @plain.qcow2 64M");
        io("plain.qcow2", "write -P 1 0 128k", "write -z 1M 64k", "write -P 7 3M 4k");
        twin.must("qemu-img", "create -q -f qcow2 @base.qcow2 16M");
        io("base.qcow2", "write -P 2 0 512k", "write -z 1M 64k");
        twin.must("qemu-img", "create -q -f qcow2 -b base.qcow2 -F qcow2 @top.qcow2");
        io("top.qcow2", "write -P 3 512k 64k", "write -z 768k 64k", "write -P 4 8M 128k");
        twin.must("qemu-img", "create -q -f qcow2 -b top.qcow2 -F qcow2 @long.qcow2 20M");
        twin.must("qemu-img", "create -q -f qcow2 -o compat=0.10 @v2.qcow2 3M");
        twin.must("qemu-img", "create -q -f qcow2 -o cluster_size=16k,extended_l2=on,compression_type=zstd,"
                + "lazy_refcounts=on,refcount_bits=8 @ext.qcow2 5M");
        io("ext.qcow2", "write -P 5 0 64k", "write -P 6 1M 16k");
        twin.must("qemu-img", "create -q -f qcow2 -o preallocation=metadata @pm.qcow2 2M");
        twin.must("qemu-img", "create -q -f qcow2 -o extended_l2=on,cluster_size=32k @sub.qcow2 4M");
        io("sub.qcow2", "write -P 1 4k 4k", "write -P 2 100k 1k", "write -z 200k 8k", "write -P 3 1M 64k",
                "discard 1M 2k");
        twin.must("qemu-img", "create -q -f qcow2 -o extended_l2=on,preallocation=metadata @epm.qcow2 1M");
        twin.must("qemu-img", "create -q -f qcow2 -o preallocation=falloc @fa.qcow2 2M");
        twin.must("qemu-img", "create -q -f qcow2 -o data_file=df.raw,data_file_raw=on @df.qcow2 1M");
        twin.must("qemu-img", "convert -c -O qcow2 @plain.qcow2 @cz.qcow2");
        twin.must("qemu-img", "create -q -f qcow2 @snap.qcow2 1M");
        twin.must("qemu-img", "snapshot -c first @snap.qcow2");
        twin.must("qemu-img", "create -q -f raw @r.raw 1M");
        twin.must("qemu-img", "create -q -f qcow2 @bm.qcow2 64M");
        twin.must("qemu-img", "bitmap --add @bm.qcow2 b0");
        twin.must("qemu-img", "bitmap --add -g 1M --disable @bm.qcow2 second_bitmap");
        byte[] odd = new byte[65636];
        new Random(7).nextBytes(odd);
        Files.write(dir.resolve("un.raw"), odd);
    }

    private static void io(String image, String... commands) throws Exception {
        // qemu-io takes each -c as one argument, so these bypass the word-splitting helper
        for (String c : commands) {
            Process p = new ProcessBuilder("qemu-io", "-c", c, dir.resolve(image).toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("qemu-io " + c + " failed");
            }
        }
    }

    @ParameterizedTest(name = "info {0}")
    @ValueSource(strings = {"@plain.qcow2", "@top.qcow2", "--backing-chain @top.qcow2", "--backing-chain @long.qcow2", "@v2.qcow2", "@ext.qcow2",
        "@pm.qcow2", "@df.qcow2", "@cz.qcow2", "@snap.qcow2", "@r.raw", "-f raw @un.raw", "-f raw @plain.qcow2",
        "-U @plain.qcow2", "@bm.qcow2", "@missing.qcow2", "-f qcow2 @r.raw"})
    void infoMatches(String args) throws Exception {
        Twin.Run q = twin.img("info --output=json " + args);
        Twin.Run j = twin.jqcow("info --output=json " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.err(), j.err(), "stderr");
        if (q.exit() == 0) {
            assertEquals(withoutActualSize(JSON.readTree(q.out())), withoutActualSize(JSON.readTree(j.out())),
                    "json");
            // qemu-img 7.2's member order is stable in practice; we print the same text
            assertEquals(q.out().replaceAll("(?m)^ *\"actual-size\": \\d+,\n", ""),
                    j.out().replaceAll("(?m)^ *\"actual-size\": \\d+,\n", ""), "json text");
        }
        Twin.Run qh = twin.img("info " + args);
        Twin.Run jh = twin.jqcow("info " + args);
        assertEquals(withoutDiskSize(qh.out()), withoutDiskSize(jh.out()), "human");
    }

    @ParameterizedTest(name = "map {0}")
    @ValueSource(strings = {"@plain.qcow2", "@top.qcow2", "@base.qcow2", "@v2.qcow2", "@ext.qcow2", "@pm.qcow2",
        "@fa.qcow2", "@df.qcow2", "@cz.qcow2", "@sub.qcow2", "@long.qcow2", "@epm.qcow2", "@r.raw", "-f raw @un.raw", "-f raw @plain.qcow2",
        "--start-offset=100000 --max-length=1000000 @plain.qcow2", "--start-offset=1G @plain.qcow2",
        "--max-length=0 @top.qcow2", "--start-offset=3M --max-length=5M @top.qcow2", "--start-offset=x @r.raw",
        "@missing.qcow2"})
    void mapMatches(String args) throws Exception {
        for (String mode : new String[] {"--output=json ", ""}) {
            Twin.Run q = twin.img("map " + mode + args);
            Twin.Run j = twin.jqcow("map " + mode + args);
            assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
            assertEquals(q.out(), j.out(), "stdout " + mode);
            assertEquals(q.err(), j.err(), "stderr " + mode);
        }
    }

    private static JsonNode withoutActualSize(JsonNode n) {
        if (n instanceof ArrayNode a) {
            a.forEach(InfoMapInteropTest::withoutActualSize);
        } else if (n instanceof ObjectNode o) {
            o.remove("actual-size");
        }
        return n;
    }

    private static String withoutDiskSize(String human) {
        return human.replaceAll("(?m)^disk size: .*\n", "");
    }
}
