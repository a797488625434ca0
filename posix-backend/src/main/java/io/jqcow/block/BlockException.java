package io.jqcow.block;

import java.io.IOException;

/**
 * An I/O failure with an errno-like kind and the byte offset it concerns (-1 when none).
 * The message is one line, fit to print after "jqcow: ".
 */
public class BlockException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final long offset;

    public BlockException(Errno errno, long offset, String message) {
        super(message);
        this.errno = errno;
        this.offset = offset;
    }

    public BlockException(Errno errno, long offset, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.offset = offset;
    }

    public BlockException(Errno errno, String message) {
        this(errno, -1, message);
    }

    public Errno errno() {
        return errno;
    }

    public long offset() {
        return offset;
    }

    public static BlockException einval(long offset, String message) {
        return new BlockException(Errno.EINVAL, offset, message);
    }

    public static BlockException eio(long offset, String message) {
        return new BlockException(Errno.EIO, offset, message);
    }

    public static BlockException enotsup(long offset, String message) {
        return new BlockException(Errno.ENOTSUP, offset, message);
    }
}
