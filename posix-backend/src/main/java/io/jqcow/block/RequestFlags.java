package io.jqcow.block;

/** Per-request flag bits (an int mask, so the hot path allocates nothing). */
public final class RequestFlags {
    public static final int NONE = 0;
    /** Force unit access: the write is durable when it completes. */
    public static final int FUA = 1;
    /** Write-zeroes must be efficient (no zeroed-buffer fallback) or fail with ENOTSUP. */
    public static final int NO_FALLBACK = 1 << 1;
    /** Write-zeroes may deallocate the range if it then reads as zero. */
    public static final int MAY_UNMAP = 1 << 2;
    /** The request excludes every overlapping request while it runs. */
    public static final int SERIALISING = 1 << 3;
    /** Write-zeroes/discard on behalf of a format driver's allocation (qcow2 handle_alloc_space). */
    public static final int ALLOC_ZERO = 1 << 4;

    private RequestFlags() {
    }

    public static boolean has(int flags, int bit) {
        return (flags & bit) != 0;
    }
}
