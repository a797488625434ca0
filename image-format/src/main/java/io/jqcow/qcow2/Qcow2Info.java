package io.jqcow.qcow2;

import java.util.List;

/**
 * What qemu-img info reports about a qcow2 image (its format-specific part).
 *
 * @param compat          "1.1" or "0.10"
 * @param compressionType "zlib" or "zstd"
 * @param dataFile        external data file name, or null
 * @param bitmapsPresent  the image carries a bitmaps extension (its bitmaps are not interpreted here)
 */
public record Qcow2Info(String compat, int clusterSize, int refcountBits, boolean lazyRefcounts, boolean corrupt,
                        boolean dirty, boolean extendedL2, String compressionType, String dataFile,
                        boolean dataFileRaw, String backingFile, String backingFormat, boolean bitmapsPresent,
                        List<SnapshotTable.Entry> snapshots) {

    static Qcow2Info of(Qcow2Header h, HeaderExtensions e, String backingName, SnapshotTable snaps) {
        return new Qcow2Info(h.version() >= 3 ? "1.1" : "0.10", h.clusterSize(), 1 << h.refcountOrder(),
                (h.compatibleFeatures() & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0,
                h.hasIncompatible(Qcow2Header.INCOMPAT_CORRUPT), h.hasIncompatible(Qcow2Header.INCOMPAT_DIRTY),
                h.hasIncompatible(Qcow2Header.INCOMPAT_EXTL2), h.compressionType() == 1 ? "zstd" : "zlib",
                e.dataFile(), (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0, backingName,
                e.backingFormat(), e.bitmaps() != null, snaps.entries());
    }
}
