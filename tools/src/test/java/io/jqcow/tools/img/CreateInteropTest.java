package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * create against qemu-img: same Formatting line, messages and exit status; a rejected command
 * leaves no file; a created image passes qemu-img check, has the same qemu-img info (sizes and
 * names aside) and the same content as qemu-img's.
 */
class CreateInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void base() throws Exception {
        Twin.assumeQemuImg("CreateInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @base.qcow2 3M");
        twin.must("qemu-img", "create -q -f raw @base.raw 1536k");
    }

    @ParameterizedTest(name = "create {0}")
    @ValueSource(strings = {"-f qcow2 @e.qcow2 64M",
        "-f qcow2 -o cluster_size=16k,lazy_refcounts=on,refcount_bits=8,extended_l2=on,compression_type=zstd,"
            + "preallocation=metadata @e.qcow2 100M",
        "-f qcow2 -o cluster_size=4096,refcount_bits=1 @e.qcow2 10M", "-f qcow2 -o refcount_bits=64 @e.qcow2 3M",
        "-f qcow2 -b base.qcow2 -F qcow2 @e.qcow2", "-f qcow2 -b base.raw -F raw @e.qcow2 5M",
        "-f qcow2 -u -b nonexist.qcow2 -F qcow2 @e.qcow2 10M", "-f raw @e.raw 1M",
        "-f raw -o preallocation=full @e.raw 1M", "-f raw -o preallocation=falloc @e.raw 100k", "@e.raw 1M",
        "-f qcow2 -o compat=0.10 @e.qcow2 1M", "-f qcow2 -o compat=v3 @e.qcow2 1M",
        "-f qcow2 -o data_file=@ed.raw,data_file_raw=on @e.qcow2 1M", "-f qcow2 -o data_file=@ed.raw @e.qcow2 1M",
        "-q -f qcow2 @e.qcow2 1M", "-f qcow2 -o preallocation=falloc @e.qcow2 1M",
        "-f qcow2 -o preallocation=full,cluster_size=2M,extended_l2=on @e.qcow2 5M",
        "-f qcow2 -o preallocation=metadata,cluster_size=512 @e.qcow2 300k", "-f qcow2 @e.qcow2 1.5k",
        "-f qcow2 -b base.qcow2 -F qcow2 -o extended_l2=on,preallocation=metadata @e.qcow2",
        "-f qcow2 -o size=2M @e.qcow2",
        "-f qcow2 -o cluster_size=1000 @e.qcow2 1M", "-f qcow2 -o foo=bar @e.qcow2 1M", "-f qcow2 @e.qcow2 1Q",
        "-f qcow2 @e.qcow2", "-f qcow2 -o compat=0.10,lazy_refcounts=on @e.qcow2 1M",
        "-f qcow2 -o refcount_bits=3 @e.qcow2 1M", "-f vmdkx @e.qcow2 1M", "-f qcow2 -o preallocation=xx @e.qcow2 1M",
        "-f raw -o preallocation=xx @e.raw 1M", "-f raw -o preallocation=metadata @e.raw 1M",
        "-f qcow2 -b nonexist.qcow2 -F qcow2 @e.qcow2", "-f qcow2 -b base.qcow2 @e.qcow2",
        "-f qcow2 @e.qcow2 9E", "-f qcow2 -o compression_type=lz @e.qcow2 1M",
        "-f qcow2 -o lazy_refcounts=maybe @e.qcow2 1M", "-f qcow2 -o cluster_size=4M @e.qcow2 1M",
        "-f raw -o cluster_size=4096 @e.raw 1M", "-f qcow2 -o compat=2 @e.qcow2 1M", "-f qcow2 @e.qcow2 1M 2M",
        "-f qcow2 -o data_file_raw=on @e.qcow2 1M", "-f qcow2 -o backing_fmt=qcow2 @e.qcow2 1M",
        "-f qcow2 -b base.qcow2 -F qcow2 -o preallocation=metadata @e.qcow2",
        "-f qcow2 -o cluster_size=abc @e.qcow2 1M", "-f qcow2 -o refcount_bits=abc @e.qcow2 1M",
        "-f qcow2 -u -b nonexist.qcow2 @e.qcow2 1M", "-f qcow2 -o size=2M @e.qcow2 1M",
        "-f raw -o nocow=maybe @e.raw 1M", "-f qcow2 -o cluster_size=512 @e.qcow2 100P",
        "-f qcow2 -o help", "-f raw -o help", "-f raw -o help @e.raw", "-f qcow2 -o help @e.qcow2"})
    void createMatches(String args) throws Exception {
        clean();
        Twin.Run q = twin.img("create " + args);
        List<String> qemuFiles = created();
        Path theirs = dir.resolve("theirs");
        Files.createDirectories(theirs);
        for (String b : List.of("base.qcow2", "base.raw")) {
            Files.copy(dir.resolve(b), theirs.resolve(b), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (String f : qemuFiles) {
            Files.move(dir.resolve(f), theirs.resolve(f));
        }
        Twin.Run j = twin.jqcow("create " + args);
        List<String> ourFiles = created();
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
        if (j.exit() != 0) {
            assertEquals(List.of(), ourFiles, "a rejected create leaves nothing behind");
            return;
        }
        assertEquals(qemuFiles, ourFiles, "created files");
        for (String f : ourFiles) {
            Path mine = dir.resolve(f);
            if (f.endsWith(".qcow2") && args.contains(" -u ")) {
                // the backing file does not exist, so neither check nor compare can open the image
                assertEquals(info("@theirs/" + f), info("@" + f), "qemu-img info of " + f);
            } else if (f.endsWith(".qcow2")) {
                Twin.Run check = twin.img("check @" + f);
                assertEquals(0, check.exit(), "qemu-img check: " + check.out() + check.err());
                assertEquals(info("@theirs/" + f), info("@" + f), "qemu-img info of " + f);
                Twin.Run cmp = twin.img("compare -U @theirs/" + f + " @" + f);
                assertEquals(0, cmp.exit(), "qemu-img compare: " + cmp.out() + cmp.err());
            } else {
                assertEquals(Files.size(theirs.resolve(f)), Files.size(mine), "raw length of " + f);
            }
        }
    }

    private JsonNode info(String image) throws Exception {
        Twin.Run r = twin.img("info -U --output=json " + image);
        assertEquals(0, r.exit(), r.err());
        ObjectNode n = (ObjectNode) JSON.readTree(r.out());
        n.remove(List.of("actual-size", "filename", "full-backing-filename"));
        return n;
    }

    private static void clean() throws Exception {
        for (String f : created()) {
            Files.delete(dir.resolve(f));
        }
        Path theirs = dir.resolve("theirs");
        if (Files.isDirectory(theirs)) {
            try (Stream<Path> s = Files.list(theirs)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Files a create made (everything but the fixtures and the directory of qemu's results). */
    private static List<String> created() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("base.") && !n.equals("theirs"))
                    .sorted().toList();
        }
    }
}
