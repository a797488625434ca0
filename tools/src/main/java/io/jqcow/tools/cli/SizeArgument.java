package io.jqcow.tools.cli;

import io.jqcow.tools.ToolException;
import io.jqcow.tools.cli.SizeParser.SizeFormatException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A qemu-img size option ("image size", "buffer size", "offset", ...) with qemu-img's complaints:
 * the two-line suffix hint for malformed values, the range for values of 2^63 and beyond.
 */
public final class SizeArgument {
    private SizeArgument() {
    }

    /**
     * Parses value; {@code what} names it in the message ("image size"), {@code max} is the largest
     * accepted value, and warnings (hex with suffix) go to warn.
     */
    public static long parse(String value, String what, long max, Consumer<String> warn) throws ToolException {
        long n;
        try {
            n = SizeParser.parse(value, warn);
        } catch (SizeFormatException e) {
            if (e.failure() == SizeParser.Failure.TOO_LARGE) {
                throw outOfRange(what, max);
            }
            throw new ToolException(List.of(
                    "Invalid " + what + " specified. You may use k, M, G, T, P or E suffixes for",
                    "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes."), 1);
        }
        if (n > max) {
            throw outOfRange(what, max);
        }
        return n;
    }

    private static ToolException outOfRange(String what, long max) {
        return new ToolException("Invalid " + what + " specified. Must be between 0 and " + max + ".");
    }
}
