package io.jqcow.posix;

/**
 * What {@link FilesystemPolicy} decided for one file node, with the rule behind each choice so that
 * "jqcow probe" can show why.
 *
 * @param fs              the filesystem the decision is for
 * @param aio             the node's I/O engine (decides whether async-only is active)
 * @param postEof         configured post-EOF zero-write serialisation
 * @param postEofRule     human-readable rule that chose {@code postEof}
 * @param allocZeroWrites whether qcow2 may zero-write allocated-but-unwritten cluster space
 * @param allocZeroRule   human-readable rule that chose {@code allocZeroWrites}
 */
public record PolicyDecision(FilesystemType fs, AioMode aio, PostEofSerialise postEof, String postEofRule,
                             boolean allocZeroWrites, String allocZeroRule) {

    /** The effective switch: ALWAYS, or ASYNC_ONLY with a kernel-async engine. */
    public boolean serialisePostEofWrites() {
        return postEof.effective(aio);
    }

    /** e.g. "post-eof-serialise: async-only (active with aio=native) [default for xfs]". */
    public String postEofLine() {
        String state = serialisePostEofWrites() ? "active" : "inactive";
        return "post-eof-serialise: " + postEof.optionName() + " (" + state + " with aio=" + aio.qemuName()
                + ") [" + postEofRule + "]";
    }

    /** e.g. "alloc-zero-writes: on [default, as QEMU]". */
    public String allocZeroLine() {
        return "alloc-zero-writes: " + (allocZeroWrites ? "on" : "off") + " [" + allocZeroRule + "]";
    }
}
