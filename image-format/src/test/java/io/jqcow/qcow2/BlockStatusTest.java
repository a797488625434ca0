package io.jqcow.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.testing.DriverNode;
import io.jqcow.testing.FileImageNode;
import io.jqcow.testing.Qemu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** blockStatus agrees with qemu-img map on the top layer; allocating writes batch their flushes. */
class BlockStatusTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumePresent();
    }

    record MapEntry(long start, long length, boolean present, boolean zero, boolean data, long offset) {
    }

    @Test
    void topLayerStatusMatchesQemuImgMap() throws Exception {
        Path img = dir.resolve("m.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "2M");
        Qemu.io(img, "write -P 1 0 128k", "write -z 192k 64k", "write -P 2 320k 64k", "write -z 320k 64k",
                "write -P 3 1M 4k", "discard 64k 64k");
        List<MapEntry> expected = parse(Qemu.ok("qemu-img", "map", "--output=json", img.toString()));
        List<MapEntry> got = new ArrayList<>();
        try (BlockNode n = Qemu.open(img, true)) {
            long pos = 0;
            while (pos < n.length()) {
                BlockStatus st = n.blockStatus(pos, n.length() - pos);
                boolean zero = st.zero() || !st.allocated();
                MapEntry e = new MapEntry(pos, st.length(), st.allocated(), zero, st.data(), st.hostOffset());
                if (!got.isEmpty() && merge(got.get(got.size() - 1), e) != null) {
                    got.set(got.size() - 1, merge(got.get(got.size() - 1), e));
                } else {
                    got.add(e);
                }
                pos += st.length();
            }
        }
        assertEquals(expected, got);
    }

    @Test
    void allocatingWritesDoNotFlushEachTime() throws Exception {
        Path img = dir.resolve("f.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", img.toString(), "16M");
        FileImageNode file = new FileImageNode(img, false);
        try (BlockNode n = new DriverNode(Qcow2Driver.open(file, false, false, Map.of(), ChildOpener.NONE))) {
            for (int i = 0; i < 100; i++) {
                n.write(i * 65536L + 512, new byte[4096], 0, 4096);
            }
            assertTrue(file.flushes.get() < 10, "flushes: " + file.flushes.get());
        }
        assertEquals(0, Qemu.check(img).exit());
    }

    private static MapEntry merge(MapEntry a, MapEntry b) {
        boolean contiguous = a.offset < 0 ? b.offset < 0 : b.offset == a.offset + a.length;
        if (a.present == b.present && a.zero == b.zero && a.data == b.data && contiguous
                && a.start + a.length == b.start) {
            return new MapEntry(a.start, a.length + b.length, a.present, a.zero, a.data, a.offset);
        }
        return null;
    }

    static List<MapEntry> parse(String json) {
        List<MapEntry> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\{ \"start\": (\\d+), \"length\": (\\d+), \"depth\": \\d+, \"present\": (\\w+), "
                + "\"zero\": (\\w+), \"data\": (\\w+)(?:, \"offset\": (\\d+))?").matcher(json);
        while (m.find()) {
            out.add(new MapEntry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Boolean.parseBoolean(m.group(3)),
                    Boolean.parseBoolean(m.group(4)), Boolean.parseBoolean(m.group(5)),
                    m.group(6) == null ? -1 : Long.parseLong(m.group(6))));
        }
        return out;
    }
}
