package io.jqcow.tools.io;

/**
 * One command of qemu-io's language. The shell checks the argument count and the node's
 * writability, runs getopt with {@link #optionSpec()}, then calls {@link #run}.
 */
interface IoOperation {

    String name();

    /** Other names it answers to ("r" for read). */
    default java.util.List<String> aliases() {
        return java.util.List.of();
    }

    /**
     * Synopsis and one-line description exactly as qemu-io prints it on bad usage (so it names a few
     * qemu-io flags jqcow does not take: -a, -b, -c, -i).
     */
    String usage();

    int minArgs();

    /** -1: no maximum. */
    int maxArgs();

    /** getopt letters; "" for commands without options. */
    default String optionSpec() {
        return "";
    }

    /** True for commands that change the image (refused on read-only nodes). */
    default boolean writes() {
        return false;
    }

    /** Runs the command; a failure is thrown, success just returns. */
    void run(IoSession session, Getopt.Parsed args) throws CommandFailed;
}
