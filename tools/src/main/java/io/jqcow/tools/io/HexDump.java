package io.jqcow.tools.io;

import java.util.Locale;

/** read -v's dump: 16 bytes a line, absolute offsets, letters and digits shown, the rest as dots. */
final class HexDump {
    private HexDump() {
    }

    static String of(byte[] data, long offset) {
        StringBuilder sb = new StringBuilder();
        for (int line = 0; line < data.length; line += 16) {
            int end = Math.min(data.length, line + 16);
            sb.append(String.format(Locale.ROOT, "%08x:  ", offset + line));
            for (int i = line; i < end; i++) {
                sb.append(String.format(Locale.ROOT, "%02x ", data[i] & 0xff));
            }
            sb.append(' ');
            for (int i = line; i < end; i++) {
                char c = (char) (data[i] & 0xff);
                boolean shown = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                sb.append(shown ? c : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
