package io.jqcow.posix;

/**
 * Which permissions an open holds and which it refuses to share, as {@link LockPermission} bit masks.
 *
 * @param held     permissions this open uses
 * @param unshared permissions this open does not let anyone else have
 */
public record LockRequest(int held, int unshared) {

    /**
     * What a qcow2 image node asks of its file in QEMU 7.2: a writer holds read, write and resize and
     * shares neither write nor resize; a reader holds read and refuses writers unless force-share.
     */
    public static LockRequest forOpen(boolean readOnly, boolean forceShare) {
        int guarded = LockPermission.maskOf(LockPermission.WRITE, LockPermission.RESIZE);
        if (readOnly) {
            return new LockRequest(LockPermission.CONSISTENT_READ.bit(), forceShare ? 0 : guarded);
        }
        return new LockRequest(
                LockPermission.maskOf(LockPermission.CONSISTENT_READ, LockPermission.WRITE, LockPermission.RESIZE),
                guarded);
    }

    public boolean holds(LockPermission p) {
        return (held & p.bit()) != 0;
    }

    public boolean refusesToShare(LockPermission p) {
        return (unshared & p.bit()) != 0;
    }
}
