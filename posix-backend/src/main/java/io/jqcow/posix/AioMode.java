package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;

/** How reads and writes reach the kernel: a thread pool of blocking syscalls, linux-aio, or io_uring. */
public enum AioMode {
    THREADS, NATIVE, IO_URING;

    public String qemuName() {
        return this == IO_URING ? "io_uring" : name().toLowerCase(Locale.ROOT);
    }

    /** native and io_uring complete asynchronously in the kernel (matters for the XFS policy). */
    public boolean isKernelAsync() {
        return this != THREADS;
    }

    public static AioMode parse(String s) throws BlockException {
        for (AioMode m : values()) {
            if (m.qemuName().equals(s)) {
                return m;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid aio option: " + s);
    }
}
