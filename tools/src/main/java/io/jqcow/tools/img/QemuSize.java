package io.jqcow.tools.img;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Sizes as qemu-img info prints them ("64 MiB", "1.32 MiB", "396 KiB", "0 B"): three significant
 * digits in the largest binary unit that keeps the number below 1000.
 */
public final class QemuSize {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private QemuSize() {
    }

    public static String human(long bytes) {
        int unit = 0;
        double value = bytes;
        // switch to the next unit once the number would need four integer digits
        while (unit + 1 < UNITS.length && value >= 1000) {
            value /= 1024;
            unit++;
        }
        return threeDigits(value) + " " + UNITS[unit];
    }

    /** C's "%0.3g" for values below 1000: round to three significant digits, drop trailing zeros. */
    static String threeDigits(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
        if (d.compareTo(BigDecimal.valueOf(1000)) >= 0) {
            return "1e+03";
        }
        String s = d.toPlainString();
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s;
    }
}
