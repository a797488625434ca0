package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The fixed qcow2 header (v2: 72 bytes, v3: header_length bytes) as read from cluster 0.
 * Parsing only decodes fields; {@link HeaderValidator} decides whether they are acceptable.
 *
 * @param extraBytes bytes [112, header_length) that this implementation does not know; kept verbatim
 */
public record Qcow2Header(int version, long backingFileOffset, int backingFileSize, int clusterBits, long size,
                          int cryptMethod, int l1Size, long l1TableOffset, long refcountTableOffset,
                          int refcountTableClusters, int nbSnapshots, long snapshotsOffset,
                          long incompatibleFeatures, long compatibleFeatures, long autoclearFeatures,
                          int refcountOrder, int headerLength, int compressionType, byte[] extraBytes) {

    public static final int MAGIC = 0x514649FB;
    public static final int V2_LENGTH = 72;
    public static final int V3_MIN_LENGTH = 104;
    /** What this implementation writes for v3: fields up to the compression byte, padded to 8. */
    public static final int V3_LENGTH = 112;

    public static final long INCOMPAT_DIRTY = 1L;
    public static final long INCOMPAT_CORRUPT = 1L << 1;
    public static final long INCOMPAT_DATA_FILE = 1L << 2;
    public static final long INCOMPAT_COMPRESSION = 1L << 3;
    public static final long INCOMPAT_EXTL2 = 1L << 4;
    public static final long INCOMPAT_KNOWN = 0x1F;
    public static final long COMPAT_LAZY_REFCOUNTS = 1L;
    public static final long AUTOCLEAR_BITMAPS = 1L;
    public static final long AUTOCLEAR_DATA_FILE_RAW = 1L << 1;
    public static final long AUTOCLEAR_KNOWN = 0x3;

    /** Decodes the header at the start of buf (which holds at least the first cluster or the file). */
    public static Qcow2Header parse(ByteBuffer buf) throws BlockException {
        if (buf.limit() < V2_LENGTH) {
            throw new BlockException(Errno.EINVAL, 0, "Image is not in qcow2 format (truncated header)");
        }
        if (buf.getInt(0) != MAGIC) {
            throw new BlockException(Errno.EINVAL, 0, "Image is not in qcow2 format");
        }
        int version = buf.getInt(4);
        long incompat = 0;
        long compat = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = V2_LENGTH;
        int compression = 0;
        byte[] extra = new byte[0];
        if (version >= 3) {
            if (buf.limit() < V3_MIN_LENGTH) {
                throw new BlockException(Errno.EINVAL, 0, "qcow2 header is truncated");
            }
            incompat = buf.getLong(72);
            compat = buf.getLong(80);
            autoclear = buf.getLong(88);
            refcountOrder = buf.getInt(96);
            headerLength = buf.getInt(100);
            if (headerLength > 104 && headerLength <= buf.limit()) {
                compression = buf.get(104) & 0xFF;
            }
            if (headerLength > V3_LENGTH && headerLength <= buf.limit()) {
                extra = new byte[headerLength - V3_LENGTH];
                buf.get(V3_LENGTH, extra);
            }
        }
        return new Qcow2Header(version, buf.getLong(8), buf.getInt(16), buf.getInt(20), buf.getLong(24),
                buf.getInt(32), buf.getInt(36), buf.getLong(40), buf.getLong(48), buf.getInt(56), buf.getInt(60),
                buf.getLong(64), incompat, compat, autoclear, refcountOrder, headerLength, compression, extra);
    }

    /** Bytes this header occupies when written: 72 for v2, 112 plus kept unknown bytes for v3. */
    public int encodedLength() {
        return version == 2 ? V2_LENGTH : V3_LENGTH + extraBytes.length;
    }

    /** Writes the header at position 0 of out (out must be zeroed beyond what is written). */
    public void encode(ByteBuffer out) {
        out.putInt(0, MAGIC);
        out.putInt(4, version);
        out.putLong(8, backingFileOffset);
        out.putInt(16, backingFileSize);
        out.putInt(20, clusterBits);
        out.putLong(24, size);
        out.putInt(32, cryptMethod);
        out.putInt(36, l1Size);
        out.putLong(40, l1TableOffset);
        out.putLong(48, refcountTableOffset);
        out.putInt(56, refcountTableClusters);
        out.putInt(60, nbSnapshots);
        out.putLong(64, snapshotsOffset);
        if (version >= 3) {
            out.putLong(72, incompatibleFeatures);
            out.putLong(80, compatibleFeatures);
            out.putLong(88, autoclearFeatures);
            out.putInt(96, refcountOrder);
            out.putInt(100, encodedLength());
            out.put(104, (byte) compressionType);
            out.put(V3_LENGTH, extraBytes);
        }
    }

    public int clusterSize() {
        return 1 << clusterBits;
    }

    public boolean hasIncompatible(long bit) {
        return (incompatibleFeatures & bit) != 0;
    }

    public Qcow2Header withIncompatible(long bits) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset, bits,
                compatibleFeatures, autoclearFeatures, refcountOrder, headerLength, compressionType, extraBytes);
    }

    public Qcow2Header withAutoclear(long bits) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, bits, refcountOrder, headerLength, compressionType,
                extraBytes);
    }

    public Qcow2Header withBacking(long offset, int length) {
        return new Qcow2Header(version, offset, length, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength,
                compressionType, extraBytes);
    }

    public Qcow2Header withL1(long offset, int entries) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, entries,
                offset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength,
                compressionType, extraBytes);
    }

    public Qcow2Header withRefcountTable(long offset, int clusters) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, offset, clusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength,
                compressionType, extraBytes);
    }

    public Qcow2Header withSnapshots(int count, long offset) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, l1Size,
                l1TableOffset, refcountTableOffset, refcountTableClusters, count, offset, incompatibleFeatures,
                compatibleFeatures, autoclearFeatures, refcountOrder, headerLength, compressionType, extraBytes);
    }

    public Qcow2Header withSize(long newSize) {
        return new Qcow2Header(version, backingFileOffset, backingFileSize, clusterBits, newSize, cryptMethod,
                l1Size, l1TableOffset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength,
                compressionType, extraBytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Qcow2Header h && h.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "Qcow2Header[v" + version + " cluster_bits=" + clusterBits + " size=" + size + " backing=" + backingFileOffset
                + "+" + backingFileSize + " crypt=" + cryptMethod + " l1=" + l1Size + "@" + l1TableOffset + " reftable="
                + refcountTableClusters + "@" + refcountTableOffset + " snapshots=" + nbSnapshots + "@" + snapshotsOffset
                + " incompat=" + Long.toHexString(incompatibleFeatures) + " compat=" + Long.toHexString(compatibleFeatures)
                + " autoclear=" + Long.toHexString(autoclearFeatures) + " refcount_order=" + refcountOrder + " length="
                + headerLength + " compression=" + compressionType + " extra=" + HexFormat.of().formatHex(extraBytes) + "]";
    }
}
