package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.qcow2.check.CheckFailedException;
import io.jqcow.qcow2.check.CheckMode;
import io.jqcow.qcow2.check.CheckResult;
import io.jqcow.qcow2.check.Qcow2Check;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The check engine (io.jqcow.qcow2.check) on images written by qemu: its counters equal qemu-img
 * check's, and its repairs leave images qemu-img finds clean.
 */
class Qcow2CheckTest {
    /** One check (a repair is followed by a verification pass, as qemu-img does) and its lines. */
    private record Run(CheckResult result, List<String> messages) {
        long corruptions() {
            return result.corruptions();
        }

        long leaks() {
            return result.leaks();
        }

        int exitCode() {
            return result.exitCode();
        }
    }

    private static Run check(Path img, CheckMode mode) throws Exception {
        List<String> lines = new ArrayList<>();
        FileImageNode n = new FileImageNode(img, mode == CheckMode.NONE);
        try {
            CheckResult r = new Qcow2Check(n).checkAndVerify(mode, lines::add, null).result();
            return new Run(r, lines);
        } finally {
            n.close();
        }
    }

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_size=64k", "cluster_size=512", "extended_l2=on", "refcount_bits=1",
        "compat=0.10", "snapshot", "compressed", "leak", "corrupt", "bitmap", "lazy_refcounts=on"})
    void countersMatchQemu(String kind) throws Exception {
        Path img = make(kind);
        Run run = check(img, CheckMode.NONE);
        CheckResult r = run.result();
        String json = Qemu.run("qemu-img", "check", "--output=json", img.toString()).out();
        assertEquals(num(json, "corruptions"), r.corruptions(), json + run.messages());
        assertEquals(num(json, "leaks"), r.leaks(), json + run.messages());
        assertEquals(num(json, "check-errors"), r.checkErrors(), json);
        assertEquals(num(json, "total-clusters"), r.totalClusters(), json);
        assertEquals(num(json, "allocated-clusters"), r.allocatedClusters(), json);
        assertEquals(num(json, "fragmented-clusters"), r.fragmentedClusters(), json);
        assertEquals(num(json, "compressed-clusters"), r.compressedClusters(), json);
        assertEquals(num(json, "image-end-offset"), r.imageEndOffset(), json);
        assertEquals(Qemu.check(img).exit(), r.exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"leak", "corrupt", "lazy_refcounts=on"})
    void repairAllLeavesACleanImage(String kind) throws Exception {
        Path img = make(kind);
        byte[] before = Qemu.rawContents(img);
        Run r = check(img, CheckMode.ALL);
        assertEquals(0, r.corruptions(), r.messages().toString());
        assertEquals(0, r.leaks(), r.messages().toString());
        assertTrue(r.result().corruptionsFixed() + r.result().leaksFixed() > 0);
        Qemu.Result check = Qemu.check(img);
        assertEquals(0, check.exit(), check.out());
        assertEquals(java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(Qemu.rawContents(img)));
    }

    @Test
    void repairAllFixesRaisedRefcountsAndCopiedFlagsInPlace() throws Exception {
        Path img = make("cluster_size=64k");
        poke(img, 6 * 2, 3);                          // data cluster 6: refcount 3, one reference
        byte[] b = Files.readAllBytes(img);
        ByteBuffer bb = ByteBuffer.wrap(b);
        long l2 = bb.getLong((int) bb.getLong(40)) & L2Entry.L1_OFFSET_MASK;
        bb.putLong((int) l2, bb.getLong((int) l2) & ~L2Entry.COPIED); // guest cluster 0 loses COPIED
        Files.write(img, b);
        long size = Files.size(img);
        Qemu.Result before = Qemu.check(img);
        Run r = check(img, CheckMode.ALL);
        assertEquals(0, r.exitCode(), r.messages().toString());
        assertTrue(r.messages().stream().anyMatch(m -> m.startsWith("Repairing cluster 6 refcount=3 reference=1")),
                r.messages().toString());
        assertEquals(size, Files.size(img), "fixed in place, no rebuild");
        assertEquals(0, Qemu.check(img).exit(), before.out());
    }

    @Test
    void repairLeaksFixesLeaksInPlace() throws Exception {
        Path img = make("leak");
        long size = Files.size(img);
        Run r = check(img, CheckMode.LEAKS);
        assertEquals(1, r.result().leaksFixed());
        assertEquals(0, Qemu.check(img).exit());
        assertEquals(size, Files.size(img));
    }

    @Test
    void repairLeaksRefusesWhenRebuildIsNeeded() throws Exception {
        Path img = make("corrupt");
        List<String> lines = new ArrayList<>();
        FileImageNode n = new FileImageNode(img, false);
        try {
            // qemu-img -r leaks fails the check here ("Check failed"), exit 1
            assertThrows(CheckFailedException.class,
                    () -> new Qcow2Check(n).checkAndVerify(CheckMode.LEAKS, lines::add, null));
        } finally {
            n.close();
        }
        assertTrue(lines.contains("ERROR need to rebuild refcount structures"), lines.toString());
        assertEquals(1, Qemu.run("qemu-img", "check", "-r", "leaks", img.toString()).exit());
    }

    private Path make(String kind) throws Exception {
        Path img = dir.resolve(kind.replace('=', '_') + ".qcow2");
        String opts = kind.contains("=") ? kind : "cluster_size=64k";
        Qemu.img("create", "-q", "-f", "qcow2", "-o", opts, img.toString(), "4M");
        Qemu.io(img, "write -P 1 0 200k", "write -P 2 1M 64k", "write -z 2M 64k", "write -P 3 3M 10k");
        switch (kind) {
            case "snapshot" -> {
                Qemu.img("snapshot", "-c", "s1", img.toString());
                Qemu.io(img, "write -P 4 64k 4k");
            }
            case "compressed" -> Qemu.io(img, "write -c 2560k 64k", "write -c 2688k 64k");
            case "lazy_refcounts=on" -> Qemu.run("qemu-io", "-f", "qcow2", "-c", "write -P 7 1536k 192k", "-c", "abort",
                    img.toString());
            case "bitmap" -> {
                Qemu.img("bitmap", "--add", img.toString(), "b0");
                Qemu.img("bitmap", "--add", "-g", "4096", img.toString(), "b1");
                Qemu.io(img, "write -P 5 3M 64k");
            }
            case "leak" -> {
                // cluster 12 (inside the file) has refcount 1 but nothing uses it
                byte[] b = Files.readAllBytes(img);
                Files.write(img, java.util.Arrays.copyOf(b, 13 * 65536));
                poke(img, 12 * 2, 1);
            }
            case "corrupt" -> poke(img, 5 * 2, 0);        // a used data cluster with refcount 0
            default -> { }
        }
        return img;
    }

    /** Writes a 16-bit refcount into refcount block 0 (cluster 2 of a 64k image). */
    private static void poke(Path img, int at, int value) throws Exception {
        byte[] b = Files.readAllBytes(img);
        ByteBuffer.wrap(b).putShort(0x20000 + at, (short) value);
        Files.write(img, b);
    }

    private static long num(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
