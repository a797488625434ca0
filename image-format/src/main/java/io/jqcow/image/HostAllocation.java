package io.jqcow.image;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * Bytes a file occupies on the host (st_blocks * 512), what qemu-img reports as "disk size" /
 * "actual-size". Java's file attributes do not expose st_blocks, so this asks statx(2).
 */
public final class HostAllocation {
    private static final int AT_FDCWD = -100;
    private static final int STATX_BLOCKS = 0x400;
    private static final int BLOCKS_OFFSET = 48; // struct statx: u64 stx_blocks
    private static final int STATX_SIZE = 256;

    private interface C extends Library {
        int statx(int dirfd, String path, int flags, int mask, Pointer buf);
    }

    private static final class Holder {
        static final C LIBC = Native.load("c", C.class);
    }

    private HostAllocation() {
    }

    /** The allocated bytes of path, or -1 when the host cannot tell. */
    public static long allocatedBytes(Path path) {
        try (Memory buf = new Memory(STATX_SIZE)) {
            buf.clear();
            if (Holder.LIBC.statx(AT_FDCWD, path.toString(), 0, STATX_BLOCKS, buf) != 0) {
                return -1;
            }
            if ((buf.getInt(0) & STATX_BLOCKS) == 0) {
                return -1;
            }
            return buf.getLong(BLOCKS_OFFSET) * 512;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return -1;
        }
    }
}
