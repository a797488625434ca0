package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoded header extensions of an image. Known ones become fields; unknown ones are kept
 * verbatim so a header rewrite preserves them.
 *
 * @param backingFormat backing format name, or null
 * @param dataFile      external data file name, or null
 * @param featureNames  the feature name table (empty when absent)
 * @param bitmaps       the bitmaps extension payload (24 bytes), or null
 * @param fde           the full-disk-encryption pointer payload (16 bytes), or null
 * @param unknown       extensions of unknown type, in file order
 */
public record HeaderExtensions(String backingFormat, String dataFile, List<FeatureName> featureNames,
                               byte[] bitmaps, byte[] fde, List<HeaderExtension> unknown) {

    public HeaderExtensions {
        featureNames = List.copyOf(featureNames);
        unknown = List.copyOf(unknown);
    }

    public static HeaderExtensions empty() {
        return new HeaderExtensions(null, null, List.of(), null, null, List.of());
    }

    /** Parses the extension area of cluster 0 (QEMU's limits: the backing name offset or the cluster end). */
    public static HeaderExtensions parse(ByteBuffer cluster0, Qcow2Header h) throws BlockException {
        int start = h.version() == 2 ? Qcow2Header.V2_LENGTH : h.headerLength();
        long limit = h.backingFileOffset() != 0 ? h.backingFileOffset() : h.clusterSize();
        limit = Math.min(limit, cluster0.limit());
        String backingFormat = null;
        String dataFile = null;
        List<FeatureName> names = List.of();
        byte[] bitmaps = null;
        byte[] fde = null;
        List<HeaderExtension> unknown = new ArrayList<>();
        long off = start;
        while (off < limit) {
            if (off + 8 > limit) {
                throw new BlockException(Errno.EINVAL, off, "Header extension too large");
            }
            int type = cluster0.getInt((int) off);
            long len = Integer.toUnsignedLong(cluster0.getInt((int) off + 4));
            if (type == HeaderExtension.END) {
                break;
            }
            if (off + 8 + len > limit) {
                throw new BlockException(Errno.EINVAL, off, "Header extension too large");
            }
            byte[] data = new byte[(int) len];
            cluster0.get((int) off + 8, data);
            switch (type) {
                case HeaderExtension.BACKING_FORMAT -> {
                    if (len >= 16) {
                        throw new BlockException(Errno.EINVAL, off, "Backing format extension too long: " + len);
                    }
                    backingFormat = new String(data, StandardCharsets.UTF_8);
                }
                case HeaderExtension.DATA_FILE -> dataFile = new String(data, StandardCharsets.UTF_8);
                case HeaderExtension.FEATURE_TABLE -> names = FeatureName.decodeTable(data);
                case HeaderExtension.BITMAPS -> {
                    if (len != 24) {
                        throw new BlockException(Errno.EINVAL, off, "bitmaps_ext: Invalid extension length");
                    }
                    if ((h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
                        BitmapsExtension.parse(data, h.clusterSize(), off);
                    }
                    bitmaps = data;
                }
                case HeaderExtension.FDE -> {
                    if (h.cryptMethod() != 2) {
                        throw new BlockException(Errno.EINVAL, off,
                                "Crypto header extension only expected with LUKS encryption method");
                    }
                    if (len != 16) {
                        throw new BlockException(Errno.EINVAL, off, "Invalid encryption header extension length");
                    }
                    fde = data;
                }
                default -> unknown.add(new HeaderExtension(type, data));
            }
            off += 8 + ((len + 7) & ~7L);
        }
        return new HeaderExtensions(backingFormat, dataFile, names, bitmaps, fde, unknown);
    }

    /** The extensions in QEMU's rewrite order, with an end marker; v3 tables only for clusters above 4 KiB. */
    public List<HeaderExtension> inWriteOrder(Qcow2Header h) {
        List<HeaderExtension> out = new ArrayList<>();
        if (backingFormat != null) {
            out.add(new HeaderExtension(HeaderExtension.BACKING_FORMAT, backingFormat.getBytes(StandardCharsets.UTF_8)));
        }
        if (dataFile != null) {
            out.add(new HeaderExtension(HeaderExtension.DATA_FILE, dataFile.getBytes(StandardCharsets.UTF_8)));
        }
        if (fde != null) {
            out.add(new HeaderExtension(HeaderExtension.FDE, fde));
        }
        if (h.version() >= 3 && h.clusterSize() > 4096) {
            out.add(new HeaderExtension(HeaderExtension.FEATURE_TABLE, FeatureName.encodeTable(FeatureName.standardTable())));
        }
        if (bitmaps != null) {
            out.add(new HeaderExtension(HeaderExtension.BITMAPS, bitmaps));
        }
        out.addAll(unknown);
        return out;
    }

    /** The decoded bitmaps extension, or null. */
    public BitmapsExtension bitmapsExtension() {
        if (bitmaps == null) {
            return null;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bitmaps);
        return new BitmapsExtension(Integer.toUnsignedLong(b.getInt(0)), b.getLong(8), b.getLong(16));
    }

    /** The decoded encryption header pointer, or null. */
    public FdeExtension fdeExtension() {
        return fde == null ? null : FdeExtension.parse(fde);
    }

    /** The name a feature table gives to bit {@code bit} of the given word type, or null. */
    public String featureName(int type, int bit) {
        for (FeatureName n : featureNames) {
            if (n.type() == type && n.bit() == bit) {
                return n.name();
            }
        }
        return null;
    }

    public HeaderExtensions withBackingFormat(String fmt) {
        return new HeaderExtensions(fmt, dataFile, featureNames, bitmaps, fde, unknown);
    }

    public HeaderExtensions withoutBitmaps() {
        return new HeaderExtensions(backingFormat, dataFile, featureNames, null, fde, unknown);
    }
}
