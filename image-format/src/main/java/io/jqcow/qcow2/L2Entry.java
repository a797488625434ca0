package io.jqcow.qcow2;

/**
 * One L2 entry (the u64 descriptor plus, with extended L2, the subcluster bitmap) and its
 * classification. Entries are values; writers build new ones.
 */
public record L2Entry(long word, long bitmap) {
    public static final long COPIED = 1L << 63;
    public static final long COMPRESSED = 1L << 62;
    public static final long ZERO = 1L;
    public static final long OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
    public static final long STD_RESERVED_MASK = 0x3F000000000001FEL;
    public static final long L1_OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
    public static final long L1_RESERVED_MASK = 0x7F000000000001FFL;
    public static final L2Entry UNALLOCATED = new L2Entry(0, 0);

    /** Cluster (or, with extended L2, subcluster) type. */
    public enum Type {
        NORMAL, COMPRESSED, ZERO_PLAIN, ZERO_ALLOC, UNALLOCATED_PLAIN, UNALLOCATED_ALLOC, INVALID;

        public boolean readsZero() {
            return this == ZERO_PLAIN || this == ZERO_ALLOC;
        }

        public boolean unallocated() {
            return this == UNALLOCATED_PLAIN || this == UNALLOCATED_ALLOC;
        }
    }

    public boolean isCompressed() {
        return (word & COMPRESSED) != 0;
    }

    public boolean isCopied() {
        return (word & COPIED) != 0;
    }

    public long hostOffset() {
        return word & OFFSET_MASK;
    }

    /** Whole-cluster type (standard L2 rules; with extended L2 ZERO is never reported here). */
    public Type clusterType(Geometry g) {
        return clusterType(word, g);
    }

    /**
     * The whole-cluster type of a raw entry word, for loops over millions of entries (check) that
     * must not allocate an entry object each: the JIT tier the CLI runs with does not remove them.
     */
    public static Type clusterType(long word, Geometry g) {
        if ((word & COMPRESSED) != 0) {
            return Type.COMPRESSED;
        }
        long host = word & OFFSET_MASK;
        if (!g.extendedL2() && (word & ZERO) != 0) {
            return host != 0 ? Type.ZERO_ALLOC : Type.ZERO_PLAIN;
        }
        if (host == 0 && !(g.externalData() && (word & COPIED) != 0)) {
            return Type.UNALLOCATED_PLAIN;
        }
        return Type.NORMAL;
    }

    /** Type of subcluster sc (0..31); for standard L2 it is the cluster type. */
    public Type subclusterType(Geometry g, int sc) {
        Type ct = clusterType(g);
        if (!g.extendedL2() || ct == Type.COMPRESSED) {
            return ct == Type.COMPRESSED && g.extendedL2() && bitmap != 0 ? Type.INVALID : ct;
        }
        long alloc = bitmap & 0xFFFFFFFFL;
        long zero = bitmap >>> 32;
        if (ct == Type.NORMAL) {
            if ((alloc & zero) != 0) {
                return Type.INVALID;
            }
            if ((zero >>> sc & 1) != 0) {
                return Type.ZERO_ALLOC;
            }
            return (alloc >>> sc & 1) != 0 ? Type.NORMAL : Type.UNALLOCATED_ALLOC;
        }
        if (alloc != 0) {
            return Type.INVALID;
        }
        return (zero >>> sc & 1) != 0 ? Type.ZERO_PLAIN : Type.UNALLOCATED_PLAIN;
    }

    /** Compressed descriptor: byte offset of the stream in the image file. */
    public long compressedOffset(Geometry g) {
        return word & ((1L << g.compressedShift()) - 1) & OFFSET_MASK_COMPRESSED;
    }

    /** Compressed descriptor: bytes to read from compressedOffset (to the end of the last sector). */
    public int compressedSize(Geometry g) {
        long sectors = ((word >>> g.compressedShift()) & ((1L << (g.clusterBits() - 8)) - 1)) + 1;
        return (int) (sectors * 512 - (compressedOffset(g) & 511));
    }

    private static final long OFFSET_MASK_COMPRESSED = (1L << 56) - 1;

    public static L2Entry compressed(Geometry g, long offset, int length) {
        long nb = ((offset + length - 1) >>> 9) - (offset >>> 9);
        return new L2Entry(COMPRESSED | (nb << g.compressedShift()) | offset, 0);
    }
}
