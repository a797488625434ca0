package io.jqcow.image;

import io.jqcow.qcow2.Qcow2Info;
import io.jqcow.qcow2.SnapshotTable;
import java.util.List;

/**
 * What qemu-img info reports about one image.
 *
 * @param filename            the name as given (or as recorded in the overlay, for backing files)
 * @param actualSize          host bytes allocated, or -1 when unknown
 * @param clusterSize         qcow2 cluster size, or 0 for formats without clusters
 * @param backingFilename     the backing name exactly as stored, or null
 * @param fullBackingFilename the backing name resolved against the image's directory, or null
 * @param backingFormat       the recorded backing format, or null
 * @param qcow2               qcow2 format-specific facts, or null for other formats
 * @param bitmaps             qcow2 persistent bitmaps (empty when none)
 */
public record ImageInfo(String filename, String format, long virtualSize, long actualSize, int clusterSize,
                        boolean dirty, String backingFilename, String fullBackingFilename, String backingFormat,
                        List<SnapshotTable.Entry> snapshots, Qcow2Info qcow2, List<BitmapInfo> bitmaps) {

    public ImageInfo {
        snapshots = List.copyOf(snapshots);
        bitmaps = List.copyOf(bitmaps);
    }
}
