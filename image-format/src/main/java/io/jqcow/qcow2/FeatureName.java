package io.jqcow.qcow2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A feature name table entry: which bit of which feature word, and its human name. */
public record FeatureName(int type, int bit, String name) {
    public static final int INCOMPATIBLE = 0;
    public static final int COMPATIBLE = 1;
    public static final int AUTOCLEAR = 2;
    static final int ENTRY_SIZE = 48;

    /** The table QEMU writes for v3 images with clusters above 4 KiB. */
    public static List<FeatureName> standardTable() {
        return List.of(new FeatureName(INCOMPATIBLE, 0, "dirty bit"),
                new FeatureName(INCOMPATIBLE, 1, "corrupt bit"),
                new FeatureName(INCOMPATIBLE, 2, "external data file"),
                new FeatureName(INCOMPATIBLE, 3, "compression type"),
                new FeatureName(INCOMPATIBLE, 4, "extended L2 entries"),
                new FeatureName(COMPATIBLE, 0, "lazy refcounts"),
                new FeatureName(AUTOCLEAR, 0, "bitmaps"),
                new FeatureName(AUTOCLEAR, 1, "raw external data"));
    }

    static List<FeatureName> decodeTable(byte[] data) {
        List<FeatureName> out = new ArrayList<>();
        for (int off = 0; off + ENTRY_SIZE <= data.length; off += ENTRY_SIZE) {
            int len = 0;
            while (len < 46 && data[off + 2 + len] != 0) {
                len++;
            }
            out.add(new FeatureName(data[off] & 0xFF, data[off + 1] & 0xFF,
                    new String(data, off + 2, len, StandardCharsets.UTF_8)));
        }
        return out;
    }

    static byte[] encodeTable(List<FeatureName> names) {
        ByteBuffer b = ByteBuffer.allocate(names.size() * ENTRY_SIZE);
        for (FeatureName n : names) {
            int base = b.position();
            b.put((byte) n.type).put((byte) n.bit);
            byte[] s = n.name.getBytes(StandardCharsets.UTF_8);
            b.put(s, 0, Math.min(46, s.length));
            b.position(base + ENTRY_SIZE);
        }
        return b.array();
    }
}
