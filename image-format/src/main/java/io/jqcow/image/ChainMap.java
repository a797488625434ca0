package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.qcow2.Qcow2Driver;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Block status over a whole backing chain, as qemu-img map and compare see it: each range is
 * answered by the first layer that allocates it, with that layer's depth; a range no layer
 * allocates reads as zeroes.
 */
public final class ChainMap {
    private final ChainLayer top;
    private final Map<BlockNode, Boolean> preallocated = new IdentityHashMap<>();

    /** @param name the top image's name as given (backing names are resolved against it) */
    public ChainMap(BlockNode top, String name) {
        this.top = ChainLayer.top(top, name);
    }

    /** The status of [offset, offset + bytes) from its start; the extent may be shorter than asked. */
    public MapExtent status(long offset, long bytes) throws BlockException {
        ChainLayer layer = top;
        int depth = 0;
        long len = bytes;
        while (true) {
            long layerLength = layer.node().length();
            if (offset >= layerLength) {
                // a backing file shorter than its overlay reads as zeroes past its end; the overlay
                // that covers the range answers for it
                return new MapExtent(offset, len, Math.max(0, depth - 1), false, true, false, -1, null);
            }
            len = Math.min(len, layerLength - offset);
            BlockStatus st = layer.node().blockStatus(offset, len);
            len = Math.min(len, st.length());
            if (st.allocated()) {
                return extent(layer, depth, st, offset, len);
            }
            ChainLayer next = layer.backing();
            if (next == null) {
                return bottom(layer, depth, offset, len);
            }
            layer = next;
            depth++;
        }
    }

    /** All extents of [start, start + length), merged the way qemu-img map merges them. */
    public List<MapExtent> map(long start, long length) throws BlockException {
        List<MapExtent> out = new ArrayList<>();
        long end = start + length;
        long pos = start;
        MapExtent current = null;
        while (pos < end) {
            MapExtent e = status(pos, end - pos);
            if (current != null && current.mergeableWith(e)) {
                current = current.merge(e);
            } else {
                if (current != null) {
                    out.add(current);
                }
                current = e;
            }
            pos = e.end();
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }

    /** Unallocated everywhere: zeroes, with the reserved host offset of an extended-L2 cluster if any. */
    private static MapExtent bottom(ChainLayer layer, int depth, long offset, long len) throws BlockException {
        if (layer.node().driver() instanceof Qcow2Driver q) {
            long host = ReservedCluster.hostOffset(q, offset);
            if (host >= 0) {
                long clusterEnd = (offset | (q.header().clusterSize() - 1L)) + 1;
                String file = q.dataFileNode() != null ? layer.dataFileName() : layer.name();
                return new MapExtent(offset, Math.min(len, clusterEnd - offset), depth, false, true, false, host,
                        file);
            }
        }
        return new MapExtent(offset, len, depth, false, true, false, -1, null);
    }

    private MapExtent extent(ChainLayer layer, int depth, BlockStatus st, long offset, long len)
            throws BlockException {
        boolean zero = st.zero();
        String file = layer.name();
        if (layer.node().driver() instanceof Qcow2Driver q) {
            boolean external = q.dataFileNode() != null;
            file = external ? layer.dataFileName() : layer.name();
            if (st.data() && !zero && st.hasHostOffset() && !external && isPreallocated(q)) {
                BlockStatus fs = q.fileNode().blockStatus(st.hostOffset(), len);
                len = Math.min(len, fs.length());
                zero = fs.zero();
            }
        }
        return new MapExtent(offset, len, depth, true, zero, st.data(), st.hasHostOffset() ? st.hostOffset() : -1,
                file);
    }

    private boolean isPreallocated(Qcow2Driver q) throws BlockException {
        Boolean known = preallocated.get(q.fileNode());
        if (known == null) {
            known = MetadataPreallocation.detect(q.header(), q.fileNode());
            preallocated.put(q.fileNode(), known);
        }
        return known;
    }
}
