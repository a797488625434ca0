package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.qcow2.CompressedCodec;
import java.nio.ByteBuffer;

/**
 * Tells in advance, on the reading threads, whether a cluster will shrink when compressed. The
 * qcow2 driver stores a cluster that does not shrink as a plain write; doing that test here, in
 * parallel, leaves only compressible clusters to the in-order write path, so incompressible data
 * (already-compressed or encrypted content) is not deflated one cluster at a time in order.
 */
final class CompressionProbe {
    private final int type;
    private final int clusterSize;

    /** @param type the target's compression type (CompressedCodec.DEFLATE or ZSTD) */
    CompressionProbe(int type, int clusterSize) {
        this.type = type;
        this.clusterSize = clusterSize;
    }

    /** Whether data[at, at + len) (one cluster, zero-padded if short) compresses to less than a cluster. */
    boolean shrinks(ByteBuffer data, int at, int len) {
        byte[] cluster = new byte[clusterSize];
        data.slice(at, len).get(cluster, 0, len);
        try {
            return CompressedCodec.compress(type, cluster) != null;
        } catch (BlockException e) {
            return true; // let the driver try and report the failure where it happens
        }
    }
}
