package io.jqcow.tools.cli;

/**
 * Byte counts in qemu-io's words: "512 bytes", "1.500 KiB", "64 KiB". Three decimals for binary
 * units, six for plain bytes, and an all-zero fraction is dropped.
 */
public final class HumanSize {
    private static final String[] UNITS = {"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"};

    private HumanSize() {
    }

    public static String of(double value) {
        for (int i = 0; i < UNITS.length; i++) {
            double unit = Math.pow(2, 60 - 10 * i);
            if (value >= unit) {
                return trimZeroFraction(CFormat.fixed(value / unit, 3)) + " " + UNITS[i];
            }
        }
        return trimZeroFraction(CFormat.fixed(value, 6)) + " bytes";
    }

    private static String trimZeroFraction(String number) {
        int dot = number.indexOf('.');
        if (dot >= 0 && number.substring(dot + 1).chars().allMatch(c -> c == '0')) {
            return number.substring(0, dot);
        }
        return number;
    }
}
