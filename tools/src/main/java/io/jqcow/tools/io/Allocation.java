package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;

/** Walks a node's block status for alloc and map: whether this layer decides the content. */
final class Allocation {

    /** A run of bytes with one allocation state. */
    record Run(long offset, long length, boolean allocated) {
    }

    private Allocation() {
    }

    /** The longest run starting at offset (at most bytes long) whose allocation state is uniform. */
    static Run runAt(BlockNode node, long offset, long bytes) throws BlockException {
        BlockStatus first = node.blockStatus(offset, bytes);
        long len = checked(first, bytes);
        // Drivers may answer in pieces (one cluster at a time); merge pieces of the same state.
        while (len < bytes) {
            BlockStatus next = node.blockStatus(offset + len, bytes - len);
            if (next.allocated() != first.allocated()) {
                break;
            }
            len += checked(next, bytes - len);
        }
        return new Run(offset, len, first.allocated());
    }

    private static long checked(BlockStatus s, long asked) throws BlockException {
        if (s.length() <= 0) {
            throw new BlockException(Errno.EIO, s.offset(), "block status made no progress");
        }
        return Math.min(s.length(), asked);
    }
}
