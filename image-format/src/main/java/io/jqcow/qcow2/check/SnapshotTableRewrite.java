package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;

/**
 * Writes a repaired snapshot table to newly allocated clusters (first free run by the stored
 * refcounts, as qemu-img allocates), switches header fields 60..71 to it in one write, then frees the
 * old table. Allocation before the switch and freeing after it keep every referenced cluster counted.
 */
final class SnapshotTableRewrite {
    private SnapshotTableRewrite() {
    }

    static void run(CheckImage img, CheckSnapshots snaps, StoredRefcounts stored) throws BlockException {
        byte[] table = snaps.encodeRepaired(img.header.size());
        long clusters = (table.length + img.g.clusterMask()) >>> img.g.clusterBits();
        long start = firstFreeRun(stored, clusters);
        for (long c = start; c < start + clusters; c++) {
            stored.set(c, 1);
        }
        stored.flush(); // the new table's refcounts are durable before the header points at it
        // Only the table's bytes, as qemu-img writes it (the file may end inside the last cluster).
        img.file.write(img.g.offsetOf(start), ByteBuffer.wrap(table));
        img.file.flush();
        ByteBuffer fields = ByteBuffer.allocate(12);
        fields.putInt(0, snaps.snaps().size());
        fields.putLong(4, img.g.offsetOf(start));
        img.file.write(60, fields);
        img.file.flush();
        long oldStart = img.header.snapshotsOffset() >>> img.g.clusterBits();
        long oldEnd = (img.header.snapshotsOffset() + snaps.tableBytes() + img.g.clusterMask()) >>> img.g.clusterBits();
        for (long c = oldStart; c < oldEnd; c++) {
            long rc = stored.get(c);
            if (rc > 0) {
                stored.set(c, rc - 1);
                if (rc == 1) {
                    img.file.discard(img.g.offsetOf(c), img.clusterSize());
                }
            }
        }
        stored.flush();
    }

    private static long firstFreeRun(StoredRefcounts stored, long n) throws BlockException {
        long run = 0;
        for (long c = 1; ; c++) {
            if (!stored.covers(c)) {
                throw new BlockException(Errno.ENOSPC, 0, "no refcount block covers free space for the snapshot table");
            }
            run = stored.get(c) == 0 ? run + 1 : 0;
            if (run == n) {
                return c - n + 1;
            }
        }
    }
}
