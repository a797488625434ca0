package io.jqcow.tools.io;

/** qemu-io's -P value: a number as strtol reads it with base 0, which must fit a byte. */
final class PatternByte {
    private PatternByte() {
    }

    /** The byte value, or null when s is not a number in 0..255. */
    static Integer parse(String s) {
        String t = s.strip();
        boolean negative = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            negative = t.startsWith("-");
            t = t.substring(1);
        }
        int radix = 10;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (t.isEmpty() || t.length() > 12) {
            return null;
        }
        long v;
        try {
            v = Long.parseLong(t, radix);
        } catch (NumberFormatException e) {
            return null;
        }
        if (negative) {
            v = -v;
        }
        return v < 0 || v > 0xff ? null : (int) v;
    }
}
