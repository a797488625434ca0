package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import java.nio.ByteBuffer;

/** Guest reads: map under the lock, then read data, zeroes, backing data or decompressed clusters. */
final class Qcow2Reader {
    private final Qcow2State s;
    private final ClusterMapper mapper;

    Qcow2Reader(Qcow2State s, ClusterMapper mapper) {
        this.s = s;
        this.mapper = mapper;
    }

    void read(long offset, IoVector qiov) throws BlockException {
        s.checkUsable();
        long len = qiov.size();
        long pos = 0;
        while (pos < len) {
            ClusterMapper.Extent e;
            s.lock.lock();
            try {
                s.maybeCleanCaches();
                e = mapper.map(offset + pos, len - pos);
                s.hostIoInFlight.incrementAndGet();
            } finally {
                s.lock.unlock();
            }
            try {
                readExtent(e, qiov.slice(pos, e.bytes()));
            } finally {
                s.hostIoInFlight.decrementAndGet();
            }
            pos += e.bytes();
        }
    }

    private void readExtent(ClusterMapper.Extent e, IoVector part) throws BlockException {
        switch (e.type()) {
            case NORMAL -> s.dataNode().read(e.host(), part, 0);
            case ZERO_PLAIN, ZERO_ALLOC -> part.zeroAll();
            case UNALLOCATED_PLAIN, UNALLOCATED_ALLOC -> readBacking(s.backing, e.guest(), part);
            case COMPRESSED -> {
                byte[] cluster = decompress(e.entry());
                int in = (int) (e.guest() & s.geometry().clusterMask());
                part.copyFrom(0, ByteBuffer.wrap(cluster, in, (int) e.bytes()));
            }
            default -> throw new IllegalStateException(e.type().toString());
        }
    }

    /** Reads from the backing node; what lies past its end (or with no backing) reads as zero. */
    static void readBacking(BlockNode backing, long guest, IoVector part) throws BlockException {
        if (backing == null) {
            part.zeroAll();
            return;
        }
        long blen = backing.length();
        long n = Math.max(0, Math.min(part.size(), blen - guest));
        if (n > 0) {
            backing.read(guest, part.slice(0, n), 0);
        }
        if (n < part.size()) {
            part.zero(n, part.size() - n);
        }
    }

    /** The last decoded compressed cluster, so small sequential reads decode each cluster once. */
    private record Decoded(long word, byte[] data) {
    }

    private volatile Decoded lastDecoded;

    /** Reads and decodes one compressed cluster. */
    byte[] decompress(L2Entry entry) throws BlockException {
        Decoded d = lastDecoded;
        if (d != null && d.word == entry.word()) {
            return d.data;
        }
        byte[] out = decode(entry);
        lastDecoded = new Decoded(entry.word(), out);
        return out;
    }

    /** Forgets the decoded cluster (its host space may be reused). */
    void forgetDecoded() {
        lastDecoded = null;
    }

    private byte[] decode(L2Entry entry) throws BlockException {
        Geometry g = s.geometry();
        long host = entry.compressedOffset(g);
        int csize = entry.compressedSize(g);
        long fileLen = s.file.length();
        int avail = (int) Math.max(0, Math.min(csize, fileLen - host));
        byte[] in = new byte[csize];
        if (avail > 0) {
            s.file.read(host, in, 0, avail);
        }
        return CompressedCodec.decompress(s.header().compressionType(), in, csize, g.clusterSize(), host);
    }
}
