package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/**
 * An open could not load the internal snapshot it was asked to read (snapshot.id / snapshot.name):
 * not found, not loadable read-write, a bad snapshot L1, or a format without snapshots. qemu-img
 * reports these on their own ("Failed to load snapshot: ..."), not as "Could not open".
 */
public final class SnapshotLoadException extends BlockException {
    private static final long serialVersionUID = 1L;

    public SnapshotLoadException(Errno errno, String reason) {
        super(errno, 0, "Failed to load snapshot: " + reason);
    }
}
