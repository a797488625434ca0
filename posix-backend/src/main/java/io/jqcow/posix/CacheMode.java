package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;

/** QEMU's cache modes: which open flags they mean and whether flush reaches the disk. */
public enum CacheMode {
    NONE(true, false, false),
    WRITEBACK(false, false, false),
    WRITETHROUGH(false, true, false),
    DIRECTSYNC(true, true, false),
    UNSAFE(false, false, true);

    /** O_DIRECT. */
    public final boolean direct;
    /** O_DSYNC: every write is durable on completion. */
    public final boolean dsync;
    /** flush does nothing. */
    public final boolean noFlush;

    CacheMode(boolean direct, boolean dsync, boolean noFlush) {
        this.direct = direct;
        this.dsync = dsync;
        this.noFlush = noFlush;
    }

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CacheMode parse(String s) throws BlockException {
        for (CacheMode m : values()) {
            if (m.qemuName().equals(s)) {
                return m;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid cache option: " + s);
    }
}
