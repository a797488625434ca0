package io.jqcow.tools.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** printf("%.Nf") as glibc does it: exact binary value, ties to even (Java's %f rounds half up). */
public final class CFormat {
    private CFormat() {
    }

    public static String fixed(double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.isNaN(value) ? "nan" : (value > 0 ? "inf" : "-inf");
        }
        return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }
}
