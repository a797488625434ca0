package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The snapshot table as the checker needs it: each snapshot's L1 table and the table's byte size. */
record CheckSnapshots(List<Snap> snaps, long tableBytes) {
    static final int MAX_SNAPSHOTS = 65536;
    static final int MAX_EXTRA = 1024;

    /** One snapshot entry (only what the refcount walk uses, plus names for messages). */
    record Snap(long l1Offset, long l1Size, String id, String name) {
    }

    CheckSnapshots {
        snaps = List.copyOf(snaps);
    }

    /**
     * Reads the table; a bad offset or count is a check error (the snapshots are then ignored), an
     * over-long extra data area or a v3 entry shorter than 16 bytes of extra data a corruption.
     */
    static CheckSnapshots read(BlockNode file, Qcow2Header h, CheckCounters res, CheckLog log) throws BlockException {
        long n = Integer.toUnsignedLong(h.nbSnapshots());
        if (n == 0) {
            return new CheckSnapshots(List.of(), 0);
        }
        if (n > MAX_SNAPSHOTS || (h.snapshotsOffset() & (h.clusterSize() - 1)) != 0) {
            log.line("ERROR snapshot table: invalid offset or number of snapshots");
            res.checkErrors++;
            return new CheckSnapshots(List.of(), 0);
        }
        List<Snap> out = new ArrayList<>();
        long pos = h.snapshotsOffset();
        long start = pos;
        for (int i = 0; i < n; i++) {
            ByteBuffer fixed = ByteBuffer.allocate(40);
            file.read(pos, fixed.duplicate());
            long l1Off = fixed.getLong(0);
            long l1Size = Integer.toUnsignedLong(fixed.getInt(8));
            int idLen = fixed.getShort(12) & 0xFFFF;
            int nameLen = fixed.getShort(14) & 0xFFFF;
            long extra = Integer.toUnsignedLong(fixed.getInt(36));
            if (extra > MAX_EXTRA) {
                log.line("ERROR snapshot table entry " + i + ": too much extra metadata");
                res.corruptions++;
            } else if (h.version() >= 3 && extra < 16) {
                log.line("ERROR snapshot table entry " + i + " is incomplete");
                res.corruptions++;
            }
            ByteBuffer names = ByteBuffer.allocate(idLen + nameLen);
            file.read(pos + 40 + extra, names.duplicate());
            String id = new String(names.array(), 0, idLen, java.nio.charset.StandardCharsets.UTF_8);
            String name = new String(names.array(), idLen, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            out.add(new Snap(l1Off, l1Size, id, name));
            pos += 40 + extra + idLen + nameLen;
            pos = (pos + 7) & ~7L;
        }
        return new CheckSnapshots(out, pos - start);
    }
}
