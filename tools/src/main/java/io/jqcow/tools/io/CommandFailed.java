package io.jqcow.tools.io;

/**
 * A qemu-io command that failed. The message (if any) is printed on stdout, where qemu-io prints
 * most of its per-command complaints ("Parsing error: ...", "read failed: ...").
 */
final class CommandFailed extends Exception {
    private static final long serialVersionUID = 1L;

    CommandFailed(String stdoutMessage) {
        super(stdoutMessage);
    }

    /** A failure whose message was already printed (or that has none). */
    static CommandFailed silent() {
        return new CommandFailed(null);
    }
}
