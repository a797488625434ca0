package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** QEMU's open-time header checks, in QEMU's order, each failing with one clear line. */
public final class HeaderValidator {
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final long MAX_L1_BYTES = 32L << 20;
    static final int MAX_SNAPSHOTS = 65536;

    private HeaderValidator() {
    }

    /** Result of a successful validation: the extensions and the backing file name (or null). */
    public record Validated(HeaderExtensions extensions, String backingName) {
    }

    /**
     * Validates the header against cluster 0.
     *
     * @param writable the open wants to write (corrupt images refuse that)
     * @param forCheck check mode: tolerate a missing refcount table and skip snapshot checks
     */
    public static Validated validate(Qcow2Header h, ByteBuffer cluster0, boolean writable, boolean forCheck)
            throws BlockException {
        if (h.version() != 2 && h.version() != 3) {
            throw new BlockException(Errno.ENOTSUP, 4, "Unsupported qcow2 version " + h.version());
        }
        if (h.clusterBits() < 9 || h.clusterBits() > 21) {
            throw new BlockException(Errno.EINVAL, 20, "Unsupported cluster size: 2^" + h.clusterBits());
        }
        long cs = h.clusterSize();
        if (h.version() == 3 && h.headerLength() < Qcow2Header.V3_MIN_LENGTH) {
            throw new BlockException(Errno.EINVAL, 100, "qcow2 header too short");
        }
        if (Integer.toUnsignedLong(h.headerLength()) > cs) {
            throw new BlockException(Errno.EINVAL, 100, "qcow2 header exceeds cluster size");
        }
        if (Long.compareUnsigned(h.backingFileOffset(), cs) > 0) {
            throw new BlockException(Errno.EINVAL, 8, "Invalid backing file offset");
        }
        checkCompression(h);
        long unknown = h.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_KNOWN;
        if (unknown != 0) {
            // Only for naming the features: a broken extension area must not hide this error.
            HeaderExtensions names;
            try {
                names = HeaderExtensions.parse(cluster0, h.withIncompatible(0).withAutoclear(0));
            } catch (BlockException e) {
                names = HeaderExtensions.empty();
            }
            throw new BlockException(Errno.ENOTSUP, 72, "Unsupported qcow2 feature(s): " + describe(names, unknown));
        }
        if (h.hasIncompatible(Qcow2Header.INCOMPAT_CORRUPT) && writable) {
            throw new BlockException(Errno.EACCES, 72, "qcow2: Image is corrupt; cannot be opened read/write");
        }
        boolean extL2 = h.hasIncompatible(Qcow2Header.INCOMPAT_EXTL2);
        if ((extL2 ? cs / 32 : cs) < 512) {
            throw new BlockException(Errno.EINVAL, 20, "Unsupported subcluster size (extended L2 needs 16 KiB clusters)");
        }
        if (h.refcountOrder() < 0 || h.refcountOrder() > 6) {
            throw new BlockException(Errno.EINVAL, 96,
                    "Reference count entry width too large; may not exceed 64 bits");
        }
        checkRefcountTable(h, forCheck);
        if (!forCheck) {
            if (Integer.toUnsignedLong(h.nbSnapshots()) > MAX_SNAPSHOTS) {
                throw new BlockException(Errno.EINVAL, 60, "Too many snapshots");
            }
            checkAligned(h.snapshotsOffset(), cs, 64, "Invalid snapshot table offset");
        }
        checkL1(h);
        HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);
        if (h.cryptMethod() != 0) {
            throw new BlockException(Errno.ENOTSUP, 32, "encryption not supported (crypt_method "
                    + Integer.toUnsignedString(h.cryptMethod()) + ")");
        }
        if (!h.hasIncompatible(Qcow2Header.INCOMPAT_DATA_FILE)
                && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0) {
            throw new BlockException(Errno.EINVAL, 88, "data-file-raw requires a data file");
        }
        if (h.hasIncompatible(Qcow2Header.INCOMPAT_DATA_FILE) && h.backingFileOffset() != 0
                && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0) {
            throw new BlockException(Errno.EINVAL, 88, "data-file-raw cannot be combined with a backing file");
        }
        String backing = readBackingName(h, cluster0);
        return new Validated(ext, backing);
    }

    private static void checkCompression(Qcow2Header h) throws BlockException {
        boolean bit = h.hasIncompatible(Qcow2Header.INCOMPAT_COMPRESSION);
        int type = h.compressionType();
        if (type > 1) {
            throw new BlockException(Errno.ENOTSUP, 104, "Unknown compression type " + type);
        }
        if (bit && type == 0) {
            throw new BlockException(Errno.EINVAL, 104,
                    "Compression type incompatible feature bit must not be set for deflate compression");
        }
        if (!bit && type != 0) {
            throw new BlockException(Errno.EINVAL, 104,
                    "Compression type incompatible feature bit must be set for non-deflate compression");
        }
    }

    private static void checkRefcountTable(Qcow2Header h, boolean forCheck) throws BlockException {
        long clusters = Integer.toUnsignedLong(h.refcountTableClusters());
        if (clusters == 0 && !forCheck) {
            throw new BlockException(Errno.EINVAL, 56, "Image does not contain a reference count table");
        }
        long bytes = clusters * h.clusterSize();
        if (bytes > MAX_REFTABLE_BYTES) {
            throw new BlockException(Errno.EINVAL, 56, "Reference count table too large");
        }
        checkAligned(h.refcountTableOffset(), h.clusterSize(), 48, "Invalid reference count table offset");
        if (h.refcountTableOffset() < 0 || h.refcountTableOffset() > Long.MAX_VALUE - bytes) {
            throw new BlockException(Errno.EINVAL, 48, "Invalid reference count table offset");
        }
    }

    private static void checkL1(Qcow2Header h) throws BlockException {
        long entries = Integer.toUnsignedLong(h.l1Size());
        if (entries * 8 > MAX_L1_BYTES) {
            throw new BlockException(Errno.EFBIG, 36, "Active L1 table too large");
        }
        checkAligned(h.l1TableOffset(), h.clusterSize(), 40, "Invalid L1 table offset");
        if (h.l1TableOffset() < 0 || h.l1TableOffset() > Long.MAX_VALUE - entries * 8) {
            throw new BlockException(Errno.EINVAL, 40, "Invalid L1 table offset");
        }
        int l2Bits = h.clusterBits() - (h.hasIncompatible(Qcow2Header.INCOMPAT_EXTL2) ? 4 : 3);
        int shift = h.clusterBits() + l2Bits;
        long size = h.size();
        long needed = size < 0 ? Long.MAX_VALUE : shift >= 63 ? (size == 0 ? 0 : 1)
                : (size + (1L << shift) - 1) >>> shift;
        if (size < 0 || needed > Integer.MAX_VALUE) {
            throw new BlockException(Errno.EFBIG, 24, "Image is too big");
        }
        if (entries < needed) {
            throw new BlockException(Errno.EINVAL, 36, "L1 table is too small");
        }
    }

    private static void checkAligned(long offset, long cs, long field, String message) throws BlockException {
        if ((offset & (cs - 1)) != 0) {
            throw new BlockException(Errno.EINVAL, field, message);
        }
    }

    private static String readBackingName(Qcow2Header h, ByteBuffer cluster0) throws BlockException {
        if (h.backingFileOffset() == 0) {
            return null;
        }
        long len = Integer.toUnsignedLong(h.backingFileSize());
        if (len > 1023 || len > h.clusterSize() - h.backingFileOffset()
                || h.backingFileOffset() + len > cluster0.limit()) {
            throw new BlockException(Errno.EINVAL, 16, "Backing file name too long");
        }
        byte[] name = new byte[(int) len];
        cluster0.get((int) h.backingFileOffset(), name);
        return new String(name, StandardCharsets.UTF_8);
    }

    /** "dirty bit, Unknown incompatible feature: 20" style list, names from the feature table. */
    static String describe(HeaderExtensions ext, long bits) {
        List<String> parts = new ArrayList<>();
        long rest = 0;
        for (int bit = 0; bit < 64; bit++) {
            if ((bits & (1L << bit)) == 0) {
                continue;
            }
            String name = ext.featureName(FeatureName.INCOMPATIBLE, bit);
            if (name != null) {
                parts.add(name);
            } else {
                rest |= 1L << bit;
            }
        }
        if (rest != 0) {
            parts.add("Unknown incompatible feature: " + Long.toHexString(rest));
        }
        return String.join(", ", parts);
    }
}
