package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.qcow2.Geometry;
import io.jqcow.qcow2.HeaderExtensions;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.util.List;

/** What every stage of a check shares: the file node, its current header and the message sink. */
final class CheckImage {
    final BlockNode file;
    final Geometry g;
    HeaderExtensions ext;
    final CheckLog log;
    Qcow2Header header;
    /** The backing file name from cluster 0, or null (kept for header rewrites). */
    String backingName;
    /** Validated persistent bitmaps, or null when the image has none in use (no autoclear bit). */
    List<BitmapWalk.Bitmap> bitmaps;

    CheckImage(BlockNode file, Qcow2Header header, HeaderExtensions ext, CheckLog log) {
        this.file = file;
        this.header = header;
        this.g = Geometry.of(header);
        this.ext = ext;
        this.log = log;
    }

    /** The same image state with messages going elsewhere (for a pass that runs on another thread). */
    CheckImage withLog(CheckLog other) {
        CheckImage c = new CheckImage(file, header, ext, other);
        c.backingName = backingName;
        c.bitmaps = bitmaps;
        return c;
    }

    int clusterSize() {
        return g.clusterSize();
    }

    long fileLength() throws BlockException {
        return file.length();
    }

    /** Clusters the file spans, counting a partial last cluster. */
    long fileClusters() throws BlockException {
        return (fileLength() + g.clusterMask()) >>> g.clusterBits();
    }

    boolean hasDataFile() {
        return g.externalData();
    }

    StoredRefcounts storedRefcounts() throws BlockException {
        return StoredRefcounts.read(file, g, header.refcountTableOffset(),
                Integer.toUnsignedLong(header.refcountTableClusters()));
    }

    /**
     * Reads one cluster into {@code into} (a buffer of clusterSize bytes, reused by the caller
     * across a walk: a direct one goes to the kernel without a bounce copy).
     */
    ByteBuffer readCluster(long offset, ByteBuffer into) throws BlockException {
        file.read(offset, into.clear().duplicate());
        return into;
    }

    /** A reusable, direct cluster buffer for {@link #readCluster(long, ByteBuffer)}. */
    ByteBuffer clusterBuffer() {
        return ByteBuffer.allocateDirect(clusterSize());
    }

    ByteBuffer readCluster(long offset) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(clusterSize());
        file.read(offset, b.duplicate());
        return b;
    }

    long[] readTable(long offset, long entries) throws BlockException {
        long[] t = new long[(int) entries];
        if (entries > 0) {
            ByteBuffer b = ByteBuffer.allocate(t.length * 8);
            file.read(offset, b.duplicate());
            b.asLongBuffer().get(t);
        }
        return t;
    }

    static String hex(long v) {
        return Long.toHexString(v);
    }
}
