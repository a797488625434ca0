package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/**
 * A failed syscall with its raw errno. Kept separate from {@link BlockException} because some raw
 * values (ENXIO from lseek, ENOLCK from fcntl) matter to callers but have no {@link Errno} kind.
 */
public final class PosixError extends Exception {
    private static final long serialVersionUID = 1L;

    public static final int ENXIO = 6;
    public static final int ENOLCK = 37;

    private final int errno;
    private final String call;

    public PosixError(String call, int errno) {
        super(call + ": " + describe(errno));
        this.call = call;
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }

    public Errno kind() {
        return Errno.of(errno);
    }

    /** True for the errnos that mean "this operation does not exist here". */
    public boolean isUnsupported() {
        Errno k = kind();
        return k == Errno.ENOTSUP || k == Errno.ENOSYS || k == Errno.ENODEV || k == Errno.ENOTTY;
    }

    /** The strerror text, or "Unknown error N" for values Errno does not name. */
    public String description() {
        return describe(errno);
    }

    public BlockException toBlock(long offset, String message) {
        return new BlockException(kind(), offset, message, this);
    }

    /** "&lt;context&gt;: &lt;strerror&gt;" as a BlockException. */
    public BlockException toBlockWithReason(long offset, String context) {
        return toBlock(offset, context + ": " + description());
    }

    static String describe(int errno) {
        if (errno == ENXIO) {
            return "No such device or address";
        }
        if (errno == ENOLCK) {
            return "No locks available";
        }
        Errno k = Errno.of(errno);
        return k == Errno.EUNKNOWN ? "Unknown error " + errno : k.description();
    }
}
