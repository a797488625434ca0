package io.jqcow.posix;

/**
 * The permissions QEMU 7.2 expresses with image lock bytes, in bit order. A holder of a permission
 * locks byte {@link #heldByte()}; a holder that does not let others have it locks {@link #unsharedByte()}.
 * (Checked against /proc/locks while qemu-io held a qcow2 image: bytes 100, 101, 103, 201, 203.)
 */
public enum LockPermission {
    CONSISTENT_READ("consistent read"),
    WRITE("write"),
    WRITE_UNCHANGED("write unchanged"),
    RESIZE("resize");

    private static final int HELD_BASE = 100;
    private static final int UNSHARED_BASE = 200;

    /** The name QEMU prints in "Failed to get "..." lock". */
    public final String qemuName;

    LockPermission(String qemuName) {
        this.qemuName = qemuName;
    }

    public int bit() {
        return 1 << ordinal();
    }

    public long heldByte() {
        return HELD_BASE + ordinal();
    }

    public long unsharedByte() {
        return UNSHARED_BASE + ordinal();
    }

    public static int maskOf(LockPermission... perms) {
        int m = 0;
        for (LockPermission p : perms) {
            m |= p.bit();
        }
        return m;
    }
}
