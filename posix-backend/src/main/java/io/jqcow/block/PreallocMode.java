package io.jqcow.block;

import java.util.Locale;

/** Preallocation for create and truncate, named as qemu-img names them. */
public enum PreallocMode {
    OFF, METADATA, FALLOC, FULL;

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PreallocMode parse(String s) throws BlockException {
        for (PreallocMode m : values()) {
            if (m.qemuName().equals(s)) {
                return m;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid parameter '" + s + "'");
    }
}
