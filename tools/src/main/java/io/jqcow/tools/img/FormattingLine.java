package io.jqcow.tools.img;

import java.util.List;
import java.util.Map;

/**
 * The "Formatting 'X', fmt=qcow2 cluster_size=65536 ..." line of qemu-img create: the options in
 * qemu-img's fixed order, those with a default always, the others only when given.
 */
final class FormattingLine {
    /** name, default value (null: printed only when set). */
    private static final List<String[]> QCOW2 = List.of(
            new String[] {"encryption", null}, new String[] {"cluster_size", "65536"},
            new String[] {"extended_l2", "off"},
            new String[] {"preallocation", null}, new String[] {"compression_type", "zlib"},
            new String[] {"size", null}, new String[] {"compat", null}, new String[] {"backing_file", null},
            new String[] {"backing_fmt", null}, new String[] {"data_file", null},
            new String[] {"data_file_raw", null},
            new String[] {"lazy_refcounts", "off"}, new String[] {"refcount_bits", "16"});
    private static final List<String[]> RAW = List.of(
            new String[] {"size", null}, new String[] {"preallocation", null},
            new String[] {"extent_size_hint", null}, new String[] {"nocow", null});

    private FormattingLine() {
    }

    static String of(String file, String format, Map<String, String> options) {
        StringBuilder sb = new StringBuilder("Formatting '").append(file).append("', fmt=").append(format);
        for (String[] o : format.equals("qcow2") ? QCOW2 : RAW) {
            String v = options.getOrDefault(o[0], o[1]);
            if (v != null) {
                sb.append(' ').append(o[0]).append('=').append(v);
            }
        }
        return sb.toString();
    }
}
