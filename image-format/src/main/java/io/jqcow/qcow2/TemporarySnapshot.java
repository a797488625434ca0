package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/**
 * Reading an internal snapshot instead of the active layer (qemu-img convert/measure -l): a
 * read-only open takes the snapshot's L1 table as its own. As in qemu, only the L1 changes: the
 * virtual size stays the image's, and what lies beyond the snapshot's L1 reads as unallocated.
 */
final class TemporarySnapshot {
    /** qemu's limit for an L1 table, in bytes. */
    private static final long MAX_L1_BYTES = 32L << 20;

    private TemporarySnapshot() {
    }

    /** The header to open with: {@code h} with the chosen snapshot's L1 table. */
    static Qcow2Header header(Qcow2Header h, SnapshotTable snaps, Qcow2Options opts, boolean readOnly)
            throws BlockException {
        if (!readOnly) {
            throw new SnapshotLoadException(Errno.EINVAL, "a snapshot can only be loaded read-only");
        }
        for (SnapshotTable.Entry e : snaps.entries()) {
            if ((opts.snapshotId() == null || opts.snapshotId().equals(e.id()))
                    && (opts.snapshotName() == null || opts.snapshotName().equals(e.name()))) {
                return withL1Of(h, e);
            }
        }
        throw new SnapshotLoadException(Errno.ENOENT, "Can't find snapshot");
    }

    private static Qcow2Header withL1Of(Qcow2Header h, SnapshotTable.Entry e) throws BlockException {
        long bytes = 8L * Integer.toUnsignedLong(e.l1Size());
        if (bytes > MAX_L1_BYTES) {
            throw new SnapshotLoadException(Errno.EFBIG, "Snapshot L1 table too large");
        }
        int clusterSize = 1 << h.clusterBits();
        if ((e.l1TableOffset() & (clusterSize - 1)) != 0 || (bytes > 0 && e.l1TableOffset() == 0)) {
            throw new SnapshotLoadException(Errno.EINVAL, "Snapshot L1 table offset invalid");
        }
        return h.withL1(e.l1TableOffset(), e.l1Size());
    }
}
