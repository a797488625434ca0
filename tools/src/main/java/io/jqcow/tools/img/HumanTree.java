package io.jqcow.tools.img;

import java.util.List;
import java.util.Map;

/**
 * QEMU's human dump of a format-specific object: "key: value" lines with '-' in keys shown as
 * blanks, nested objects and lists indented by four more columns, list items named "[i]:".
 */
final class HumanTree {
    private HumanTree() {
    }

    static void append(StringBuilder sb, Map<String, Object> map, int level) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            entry(sb, e.getKey().replace('-', ' '), e.getValue(), level);
        }
    }

    private static void entry(StringBuilder sb, String label, Object v, int level) {
        String pad = "    ".repeat(level);
        if (v instanceof Map<?, ?> m) {
            sb.append(pad).append(label).append(":\n");
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) m;
            append(sb, typed, level + 1);
        } else if (v instanceof List<?> l) {
            sb.append(pad).append(label).append(":\n");
            for (int i = 0; i < l.size(); i++) {
                entry(sb, "[" + i + "]", l.get(i), level + 1);
            }
        } else {
            sb.append(pad).append(label).append(": ").append(v).append('\n');
        }
    }
}
