package io.jqcow.tools;

import java.util.List;

/**
 * A failure the user caused or must fix (bad option value, image that does not open). Its lines are
 * printed as "jqcow: line" on stderr and the command exits with {@link #exitCode()}.
 */
public final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> lines;
    private final int exitCode;

    public ToolException(String message) {
        this(List.of(message), 1);
    }

    public ToolException(List<String> lines, int exitCode) {
        super(String.join(" ", lines));
        this.lines = List.copyOf(lines);
        this.exitCode = exitCode;
    }

    /** The error as qemu-img splits it: some of its messages span two error lines. */
    public List<String> lines() {
        return lines;
    }

    public int exitCode() {
        return exitCode;
    }
}
