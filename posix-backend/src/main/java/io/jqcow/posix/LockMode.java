package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;

/** QEMU's file locking option. auto = on where OFD locks exist (always on Linux). */
public enum LockMode {
    ON, OFF, AUTO;

    public static LockMode parse(String s) throws BlockException {
        for (LockMode m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                return m;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid locking option: " + s);
    }
}
