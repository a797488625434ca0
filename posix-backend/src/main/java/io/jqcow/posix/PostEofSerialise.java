package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;

/**
 * Whether a write-zeroes that ends past the cached file length is serialised against every other
 * request (the workaround for the pre-5.5 XFS fallocate-vs-AIO race, which loses a concurrent
 * kernel-async write that lands past EOF).
 */
public enum PostEofSerialise {
    OFF, ASYNC_ONLY, ALWAYS;

    /** The spelling used in options and policy tables: off, async-only, always. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the serialisation is active for a file node using this I/O engine. */
    public boolean effective(AioMode aio) {
        return this == ALWAYS || (this == ASYNC_ONLY && aio.isKernelAsync());
    }

    /** Parses off, async-only or always (not auto); EINVAL naming the value otherwise. */
    public static PostEofSerialise parse(String value, String what) throws BlockException {
        for (PostEofSerialise p : values()) {
            if (p.optionName().equals(value)) {
                return p;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid " + what + " '" + value
                + "' (expected off, async-only or always)");
    }
}
