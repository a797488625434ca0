package io.jqcow.tools.cli;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;

/**
 * The device-view rule qemu-io and qemu-img bench see through their BlockBackend: a request must lie
 * within the current length, otherwise it fails with EIO before reaching the node (nodes themselves
 * would zero-fill reads and grow on writes past the end).
 */
public final class RequestBounds {
    /** The largest single request qemu's block layer takes: INT_MAX rounded down to 512. */
    public static final long MAX_REQUEST = 2147483136L;

    private RequestBounds() {
    }

    public static void check(BlockNode node, long offset, long bytes) throws BlockException {
        if (bytes > MAX_REQUEST) {
            throw new BlockException(Errno.EIO, offset, Errno.EIO.description());
        }
        checkZeroes(node, offset, bytes);
    }

    /** Write-zeroes carry no buffer, so only the device end limits them. */
    public static void checkZeroes(BlockNode node, long offset, long bytes) throws BlockException {
        if (offset < 0 || bytes < 0) {
            throw new BlockException(Errno.EIO, offset, Errno.EIO.description());
        }
        long length = node.length();
        if (offset > length || bytes > length - offset) {
            throw new BlockException(Errno.EIO, offset, Errno.EIO.description());
        }
    }
}
