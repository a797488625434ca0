package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.qcow2.Qcow2Driver;

/**
 * Block status of one convert source with its backing chain folded in: a range is data, reads as
 * zeroes, or (when the target gets a backing file of its own) is left to that backing file because
 * the source's top layer does not allocate it, as qemu-img convert -B treats it.
 */
public final class ConvertSourceChain {
    /** What convert does with a range. */
    public enum Kind { DATA, ZERO, BACKING }

    /** A run of one kind starting at the queried offset. */
    public record Extent(Kind kind, long length) {
    }

    private final BlockNode top;
    private final boolean topOnly;

    /**
     * @param topOnly true when the target has its own backing file: ranges the top layer leaves to
     *                its backing chain are reported as BACKING instead of being looked up below
     */
    public ConvertSourceChain(BlockNode top, boolean topOnly) {
        this.top = top;
        this.topOnly = topOnly;
    }

    /** Status of [offset, offset + bytes) of the top node; offset must be below its length. */
    public Extent status(long offset, long bytes) throws BlockException {
        BlockNode node = top;
        long want = bytes;
        while (true) {
            BlockStatus st = node.blockStatus(offset, want);
            long len = Math.min(st.length(), want);
            if (st.allocated()) {
                return new Extent(st.zero() && !st.data() ? Kind.ZERO : Kind.DATA, len);
            }
            if (node == top && topOnly) {
                return new Extent(Kind.BACKING, len);
            }
            BlockNode below = backingOf(node);
            if (below == null || offset >= below.length()) {
                return new Extent(Kind.ZERO, len);
            }
            want = Math.min(len, below.length() - offset);
            node = below;
        }
    }

    /** The backing node of a qcow2 node, null for raw nodes and images without one. */
    public static BlockNode backingOf(BlockNode node) {
        return node.driver() instanceof Qcow2Driver q ? q.backingNode() : null;
    }
}
