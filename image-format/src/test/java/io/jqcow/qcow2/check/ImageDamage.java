package io.jqcow.qcow2.check;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Test utility: edits a qcow2 file in place to produce specific damage (refcounts, L1/L2 entries,
 * header bits). Works on the raw bytes so it can make images no writer would.
 */
final class ImageDamage implements AutoCloseable {
    private final RandomAccessFile f;
    final int clusterBits;
    final int refcountOrder;
    final long l1Offset;
    final long reftableOffset;
    final boolean extendedL2;

    ImageDamage(Path image) throws IOException {
        f = new RandomAccessFile(image.toFile(), "rw");
        clusterBits = readInt(20);
        l1Offset = readLong(40);
        reftableOffset = readLong(48);
        int version = readInt(4);
        refcountOrder = version >= 3 ? readInt(96) : 4;
        extendedL2 = version >= 3 && (readLong(72) & (1L << 4)) != 0;
    }

    long clusterSize() {
        return 1L << clusterBits;
    }

    long readLong(long off) throws IOException {
        f.seek(off);
        return f.readLong();
    }

    int readInt(long off) throws IOException {
        f.seek(off);
        return f.readInt();
    }

    void writeLong(long off, long v) throws IOException {
        f.seek(off);
        f.writeLong(v);
    }

    long l1Entry(int i) throws IOException {
        return readLong(l1Offset + 8L * i);
    }

    void setL1Entry(int i, long v) throws IOException {
        writeLong(l1Offset + 8L * i, v);
    }

    private long l2EntryOffset(int l1Index, int l2Index) throws IOException {
        long l2 = l1Entry(l1Index) & 0x00FFFFFFFFFFFE00L;
        if (l2 == 0) {
            throw new IllegalStateException("no L2 table at L1 index " + l1Index);
        }
        return l2 + (long) l2Index * (extendedL2 ? 16 : 8);
    }

    long l2Entry(int l1Index, int l2Index) throws IOException {
        return readLong(l2EntryOffset(l1Index, l2Index));
    }

    void setL2Entry(int l1Index, int l2Index, long v) throws IOException {
        writeLong(l2EntryOffset(l1Index, l2Index), v);
    }

    long l2Bitmap(int l1Index, int l2Index) throws IOException {
        return readLong(l2EntryOffset(l1Index, l2Index) + 8);
    }

    void setL2Bitmap(int l1Index, int l2Index, long v) throws IOException {
        writeLong(l2EntryOffset(l1Index, l2Index) + 8, v);
    }

    /** Offset of the first snapshot table entry (its L1 offset is at +0, its L1 size at +8). */
    long firstSnapshotEntry() throws IOException {
        return readLong(64);
    }

    byte[] readBytes(long off, int n) throws IOException {
        byte[] b = new byte[n];
        f.seek(off);
        f.readFully(b);
        return b;
    }

    void writeBytes(long off, byte[] b) throws IOException {
        f.seek(off);
        f.write(b);
    }

    void writeInt(long off, int v) throws IOException {
        f.seek(off);
        f.writeInt(v);
    }

    private long refblockOf(long cluster) throws IOException {
        int blockBits = clusterBits + 3 - refcountOrder;
        long rb = readLong(reftableOffset + 8 * (cluster >>> blockBits)) & ~0x1FFL;
        if (rb == 0) {
            throw new IllegalStateException("no refcount block for cluster " + cluster);
        }
        return rb;
    }

    long refcount(long cluster) throws IOException {
        ByteBuffer block = readCluster(refblockOf(cluster));
        int index = (int) (cluster & ((1L << (clusterBits + 3 - refcountOrder)) - 1));
        return RefcountWidth.get(block, refcountOrder, index);
    }

    void setRefcount(long cluster, long value) throws IOException {
        long rb = refblockOf(cluster);
        ByteBuffer block = readCluster(rb);
        int index = (int) (cluster & ((1L << (clusterBits + 3 - refcountOrder)) - 1));
        RefcountWidth.set(block, refcountOrder, index, value);
        f.seek(rb);
        f.write(block.array());
    }

    void setIncompatibleBits(long bits) throws IOException {
        writeLong(72, readLong(72) | bits);
    }

    /** Grows the file by whole clusters (new clusters read as zero) and returns the first new cluster. */
    long appendClusters(int n) throws IOException {
        long first = (f.length() + clusterSize() - 1) >>> clusterBits;
        f.setLength((first + n) << clusterBits);
        return first;
    }

    private ByteBuffer readCluster(long off) throws IOException {
        byte[] b = new byte[(int) clusterSize()];
        f.seek(off);
        f.readFully(b);
        return ByteBuffer.wrap(b);
    }

    @Override
    public void close() throws IOException {
        f.close();
    }
}
