package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import java.nio.ByteBuffer;

/** Whole-cluster compressed writes into unallocated clusters (qemu-img convert -c). */
final class CompressedWriter {
    private final Qcow2State s;
    private final Geometry g;
    private final ClusterMapper mapper;
    private final L2Tables tables;
    private final Qcow2Writer writer;

    CompressedWriter(Qcow2State s, ClusterMapper mapper, L2Tables tables, Qcow2Writer writer) {
        this.s = s;
        this.g = s.geometry();
        this.mapper = mapper;
        this.tables = tables;
        this.writer = writer;
    }

    void write(long offset, IoVector data) throws BlockException {
        if (s.dataFile != null) {
            throw new BlockException(Errno.ENOTSUP, offset, "Compression is not supported with an external data file");
        }
        if ((offset & g.clusterMask()) != 0) {
            throw new BlockException(Errno.EINVAL, offset, "compressed writes must be cluster aligned");
        }
        long pos = 0;
        while (pos < data.size()) {
            int len = (int) Math.min(g.clusterSize(), data.size() - pos);
            if (len < g.clusterSize() && offset + pos + len < s.header().size()) {
                throw new BlockException(Errno.EINVAL, offset + pos, "compressed writes must cover whole clusters");
            }
            writeCluster(offset + pos, data.slice(pos, len));
            pos += len;
        }
    }

    private void writeCluster(long guest, IoVector data) throws BlockException {
        byte[] cluster = new byte[g.clusterSize()];
        data.copyTo(0, ByteBuffer.wrap(cluster, 0, (int) data.size()));
        byte[] packed = CompressedCodec.compress(s.header().compressionType(), cluster);
        if (packed == null) {
            writer.write(guest, data);
            return;
        }
        long cl = guest >>> g.clusterBits();
        s.lock.lock();
        try {
            while (s.inflight.busy(cl)) {
                s.allocationDone.awaitUninterruptibly();
            }
            s.checkUsable();
            tables.ensureWritable(guest);
            L2Entry old = mapper.entry(guest);
            L2Entry.Type t = old.clusterType(g);
            if (!(t == L2Entry.Type.UNALLOCATED_PLAIN || t == L2Entry.Type.ZERO_PLAIN) || old.bitmap() != 0
                    && (old.bitmap() & 0xFFFFFFFFL) != 0) {
                throw new BlockException(Errno.EIO, guest, "compressed write into an allocated cluster");
            }
            long host = s.allocator().allocateBytes(packed.length);
            s.overlap().check(host, packed.length, 0);
            s.file.write(host, ByteBuffer.wrap(packed));
            s.refcountsBeforeL2(host + packed.length);
            mapper.setEntry(guest, L2Entry.compressed(g, host, packed.length));
        } finally {
            s.lock.unlock();
        }
    }
}
