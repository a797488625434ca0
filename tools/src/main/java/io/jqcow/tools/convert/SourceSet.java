package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.image.ConvertSourceChain;
import io.jqcow.image.ConvertSourceChain.Extent;
import io.jqcow.image.ConvertSourceChain.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sources of one convert laid end to end in target space. Like qemu-img, each source takes its
 * length rounded up to 512 bytes; the padding reads as zeroes.
 */
final class SourceSet {
    private final List<BlockNode> nodes;
    private final List<ConvertSourceChain> chains = new ArrayList<>();
    private final long[] starts;
    private final long[] lengths;
    private final long total;

    SourceSet(List<BlockNode> nodes, boolean topOnly) throws BlockException {
        this.nodes = List.copyOf(nodes);
        starts = new long[nodes.size()];
        lengths = new long[nodes.size()];
        long pos = 0;
        for (int i = 0; i < nodes.size(); i++) {
            starts[i] = pos;
            lengths[i] = nodes.get(i).length();
            pos += (lengths[i] + 511) & ~511L;
            chains.add(new ConvertSourceChain(nodes.get(i), topOnly));
        }
        total = pos;
    }

    long totalLength() {
        return total;
    }

    /**
     * The unit in which qemu-img's reads of the source at {@code offset} start: a qcow2 source's
     * cluster (its compressed clusters are extents of their own), otherwise a whole extent (0).
     */
    int readUnitAt(long offset) {
        BlockNode n = nodes.get(indexOf(offset));
        return n.driver() instanceof io.jqcow.qcow2.Qcow2Driver q ? 1 << q.header().clusterBits() : 0;
    }

    /** Where the source holding {@code offset} starts in the concatenation. */
    long sourceStartAt(long offset) {
        return starts[indexOf(offset)];
    }

    private int indexOf(long offset) {
        int i = nodes.size() - 1;
        while (i > 0 && starts[i] > offset) {
            i--;
        }
        return i;
    }

    private long slotEnd(int i) {
        return i + 1 < starts.length ? starts[i + 1] : total;
    }

    /** Status of the target range starting at offset, at most max bytes, never across sources. */
    Extent status(long offset, long max) throws BlockException {
        int i = indexOf(offset);
        long local = offset - starts[i];
        long limit = Math.min(max, slotEnd(i) - offset);
        if (local >= lengths[i]) {
            return new Extent(Kind.ZERO, limit);
        }
        Extent e = chains.get(i).status(local, Math.min(limit, lengths[i] - local));
        return new Extent(e.kind(), Math.min(e.length(), limit));
    }

    /** Reads [offset, offset + buf.remaining()) of target space into buf, across sources if needed. */
    CompletableFuture<Void> readAsync(long offset, ByteBuffer buf) {
        int len = buf.remaining();
        List<CompletableFuture<Void>> parts = new ArrayList<>(1);
        long pos = offset;
        while (pos < offset + len) {
            int i = indexOf(pos);
            long local = pos - starts[i];
            int n = (int) Math.min(offset + len - pos, slotEnd(i) - pos);
            int at = (int) (pos - offset);
            int real = (int) Math.max(0, Math.min(n, lengths[i] - local));
            if (real > 0) {
                ByteBuffer part = buf.duplicate().position(buf.position() + at).limit(buf.position() + at + real)
                        .slice();
                parts.add(nodes.get(i).readAsync(local, IoVector.of(part), 0));
            }
            for (int k = at + real; k < at + n; k++) {
                buf.put(buf.position() + k, (byte) 0);
            }
            pos += n;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }
}
