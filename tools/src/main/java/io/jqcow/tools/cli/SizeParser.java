package io.jqcow.tools.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.function.Consumer;

/**
 * Parses sizes the way qemu-img and qemu-io accept them: decimal ("512", "1.5M"), hex ("0x200"), an
 * optional suffix b/k/M/G/T/P/E (powers of 1024, any case), leading blanks and '+' allowed. A
 * fraction needs a multiplying suffix; hex allows no fraction; the result must be below 2^63.
 */
public final class SizeParser {
    private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);

    /** Why a string is not a size. */
    public enum Failure { INVALID, TOO_LARGE }

    /** Thrown for a string that is not a size; {@link #failure()} tells which message to show. */
    public static final class SizeFormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Failure failure;

        SizeFormatException(Failure failure, String input) {
            super(failure + ": " + input);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    private SizeParser() {
    }

    /** Parses without reporting the hex-suffix deprecation. */
    public static long parse(String s) throws SizeFormatException {
        return parse(s, w -> { });
    }

    /** Parses s; warn receives QEMU's deprecation text when a hex number carries a suffix. */
    public static long parse(String s, Consumer<String> warn) throws SizeFormatException {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i < n && s.charAt(i) == '+') {
            i++;
        }
        boolean hex = i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X');
        int start = hex ? i + 2 : i;
        int j = start;
        while (j < n && Character.digit(s.charAt(j), hex ? 16 : 10) >= 0 && s.charAt(j) < 128) {
            j++;
        }
        if (j == start) {
            throw new SizeFormatException(Failure.INVALID, s);
        }
        BigDecimal value = new BigDecimal(new BigInteger(s.substring(start, j), hex ? 16 : 10));
        boolean fraction = false;
        if (!hex && j < n && s.charAt(j) == '.') {
            int f = ++j;
            while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                j++;
            }
            fraction = true;
            if (j > f) {
                value = value.add(new BigDecimal("0." + s.substring(f, j)));
            }
        }
        long multiplier = 1;
        boolean suffix = false;
        if (j < n) {
            multiplier = multiplier(s.charAt(j));
            suffix = multiplier > 0;
            if (!suffix) {
                throw new SizeFormatException(Failure.INVALID, s);
            }
            j++;
        }
        if (j != n || (fraction && multiplier <= 1)) {
            throw new SizeFormatException(Failure.INVALID, s);
        }
        if (hex && suffix) {
            warn.accept("Using a multiplier suffix on hex numbers is deprecated: " + s);
        }
        BigInteger result = value.multiply(BigDecimal.valueOf(multiplier)).setScale(0, RoundingMode.HALF_UP)
                .toBigIntegerExact();
        if (result.compareTo(LIMIT) >= 0) {
            throw new SizeFormatException(Failure.TOO_LARGE, s);
        }
        return result.longValueExact();
    }

    /** The suffix's multiplier, 0 when c is no suffix. */
    private static long multiplier(char c) {
        return switch (Character.toLowerCase(c)) {
            case 'b' -> 1;
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            case 'p' -> 1L << 50;
            case 'e' -> 1L << 60;
            default -> 0;
        };
    }
}
