package io.jqcow.qcow2;

/** Constants derived from the header that every mapping and refcount computation needs. */
public record Geometry(int clusterBits, boolean extendedL2, int refcountOrder, boolean externalData) {

    public static Geometry of(Qcow2Header h) {
        return new Geometry(h.clusterBits(), h.hasIncompatible(Qcow2Header.INCOMPAT_EXTL2), h.refcountOrder(),
                h.hasIncompatible(Qcow2Header.INCOMPAT_DATA_FILE));
    }

    public int clusterSize() {
        return 1 << clusterBits;
    }

    public long clusterMask() {
        return clusterSize() - 1L;
    }

    public int l2EntrySize() {
        return extendedL2 ? 16 : 8;
    }

    public int l2Bits() {
        return clusterBits - (extendedL2 ? 4 : 3);
    }

    public int l2Entries() {
        return 1 << l2Bits();
    }

    public int subclusterSize() {
        return extendedL2 ? clusterSize() / 32 : clusterSize();
    }

    public int refcountBits() {
        return 1 << refcountOrder;
    }

    /** log2 of refcount entries per block. */
    public int refblockBits() {
        return clusterBits + 3 - refcountOrder;
    }

    public long refcountMax() {
        return refcountOrder == 6 ? -1L : (1L << refcountBits()) - 1;
    }

    /** Bit where the sector count of a compressed descriptor starts. */
    public int compressedShift() {
        return 62 - (clusterBits - 8);
    }

    public long l1Index(long guest) {
        return guest >>> (clusterBits + l2Bits());
    }

    public int l2Index(long guest) {
        return (int) ((guest >>> clusterBits) & (l2Entries() - 1));
    }

    /** Guest bytes one L2 table covers. */
    public long l2Coverage() {
        return 1L << (clusterBits + l2Bits());
    }

    /** Minimum L1 entries for a disk of {@code size} bytes. */
    public long l1EntriesFor(long size) {
        long cov = l2Coverage();
        return (size + cov - 1) / cov;
    }

    public long clusterOf(long hostOffset) {
        return hostOffset >>> clusterBits;
    }

    public long offsetOf(long cluster) {
        return cluster << clusterBits;
    }

    public long alignUp(long v) {
        return (v + clusterMask()) & ~clusterMask();
    }
}
