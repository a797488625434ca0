package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import java.nio.ByteBuffer;

/**
 * Grows an image with preallocation of the new area. When the format driver only grows without
 * preallocation (qcow2 here), the new area is allocated by writing zeroes into it: for full and
 * falloc that gives the same content and allocated data clusters.
 */
public final class GrowthPreallocation {
    private static final int CHUNK = 1 << 20;

    private GrowthPreallocation() {
    }

    public static void grow(BlockNode node, long newLength, PreallocMode mode) throws BlockException {
        long old = node.length();
        try {
            node.truncate(newLength, true, mode);
            return;
        } catch (BlockException e) {
            boolean fillable = mode == PreallocMode.FULL || mode == PreallocMode.FALLOC;
            if (e.errno() != Errno.ENOTSUP || !fillable || newLength <= old || !"qcow2".equals(node.formatName())) {
                throw e;
            }
        }
        node.truncate(newLength, true, PreallocMode.OFF);
        ByteBuffer zeroes = ByteBuffer.allocateDirect(CHUNK);
        for (long pos = old; pos < newLength; ) {
            int n = (int) Math.min(CHUNK - (pos % CHUNK), newLength - pos);
            node.write(pos, zeroes.clear().limit(n).slice());
            pos += n;
        }
    }
}
