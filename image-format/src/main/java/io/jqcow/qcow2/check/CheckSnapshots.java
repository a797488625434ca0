package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot table as the checker needs it: each snapshot's L1 table, the table's byte size, and
 * whether a repair must rewrite it.
 *
 * @param needsRewrite a -r all repair found an entry it fixes by rewriting the table
 */
record CheckSnapshots(List<Snap> snaps, long tableBytes, boolean needsRewrite) {
    static final int MAX_SNAPSHOTS = 65536;
    static final int MAX_EXTRA = 1024;
    /** Extra data qemu-img writes: 64-bit VM state size, disk size, icount. */
    static final int FULL_EXTRA = 24;

    /** One snapshot entry: what the refcount walk uses, plus its raw parts for a rewrite. */
    record Snap(long l1Offset, long l1Size, String id, String name, byte[] fixed, byte[] extra, byte[] idAndName) {
    }

    CheckSnapshots {
        snaps = List.copyOf(snaps);
    }

    /**
     * Reads the table; a bad offset or count is a check error (the snapshots are then ignored). Extra
     * data over 1024 bytes stops the check unless -r all may cut it; a v3 entry shorter than 16 bytes
     * of extra data is a corruption. Under -r all both are fixed by rewriting the table.
     */
    static CheckSnapshots read(BlockNode file, Qcow2Header h, CheckCounters res, CheckLog log, CheckMode mode)
            throws BlockException {
        long n = Integer.toUnsignedLong(h.nbSnapshots());
        if (n == 0) {
            return new CheckSnapshots(List.of(), 0, false);
        }
        if (n > MAX_SNAPSHOTS || (h.snapshotsOffset() & (h.clusterSize() - 1)) != 0) {
            log.line("ERROR snapshot table: invalid offset or number of snapshots");
            res.checkErrors++;
            return new CheckSnapshots(List.of(), 0, false);
        }
        List<Snap> out = new ArrayList<>();
        boolean rewrite = false;
        long pos = h.snapshotsOffset();
        long start = pos;
        for (int i = 0; i < n; i++) {
            ByteBuffer fixed = ByteBuffer.allocate(40);
            file.read(pos, fixed.duplicate());
            int idLen = fixed.getShort(12) & 0xFFFF;
            int nameLen = fixed.getShort(14) & 0xFFFF;
            long extraLen = Integer.toUnsignedLong(fixed.getInt(36));
            if (extraLen > MAX_EXTRA) {
                if (!mode.fixesErrors()) {
                    log.error("ERROR failed to read the snapshot table: Too much extra metadata in snapshot table entry "
                            + i);
                    log.line("You can force-remove this extra metadata with jqcow check -r all");
                    throw new CheckFailedException(Errno.EFBIG, Errno.EFBIG.description());
                }
                log.line("Discarding too much extra metadata in snapshot table entry " + i + " (" + extraLen + " > "
                        + MAX_EXTRA + ")");
                res.corruptionsFixed++;
                rewrite = true;
            } else if (h.version() >= 3 && extraLen < 16) {
                if (mode.fixesErrors()) {
                    log.line("Repairing snapshot table entry " + i + " is incomplete");
                    res.corruptionsFixed++;
                    rewrite = true;
                } else {
                    log.line("ERROR snapshot table entry " + i + " is incomplete");
                    res.corruptions++;
                }
            }
            byte[] extra = new byte[(int) Math.min(extraLen, MAX_EXTRA)];
            file.read(pos + 40, extra, 0, extra.length);
            byte[] idAndName = new byte[idLen + nameLen];
            file.read(pos + 40 + extraLen, idAndName, 0, idAndName.length);
            out.add(new Snap(fixed.getLong(0), Integer.toUnsignedLong(fixed.getInt(8)),
                    new String(idAndName, 0, idLen, StandardCharsets.UTF_8),
                    new String(idAndName, idLen, nameLen, StandardCharsets.UTF_8), fixed.array(), extra, idAndName));
            pos += 40 + extraLen + idLen + nameLen;
            pos = (pos + 7) & ~7L;
        }
        return new CheckSnapshots(out, pos - start, rewrite);
    }

    /** The table as a repair writes it: every entry with at least the full 24 bytes of extra data. */
    byte[] encodeRepaired(long diskSize) {
        ByteBuffer out = ByteBuffer.allocate((int) (tableBytes + snaps.size() * (long) (FULL_EXTRA + 8)));
        int end = 0;
        for (Snap s : snaps) {
            int start = out.position();
            byte[] extra = s.extra();
            if (extra.length < FULL_EXTRA) {
                ByteBuffer e = ByteBuffer.allocate(FULL_EXTRA);
                ByteBuffer fixed = ByteBuffer.wrap(s.fixed());
                e.putLong(0, extra.length >= 8 ? ByteBuffer.wrap(extra).getLong(0)
                        : Integer.toUnsignedLong(fixed.getInt(32)));
                e.putLong(8, extra.length >= 16 ? ByteBuffer.wrap(extra).getLong(8) : diskSize);
                e.putLong(16, -1L);
                extra = e.array();
            }
            out.put(s.fixed());
            out.putInt(start + 36, extra.length);
            out.put(extra);
            out.put(s.idAndName());
            end = out.position();
            out.position((out.position() + 7) & ~7);
        }
        // The last entry's padding is not written (qemu-img ends the table at its last byte).
        byte[] b = new byte[end];
        out.get(0, b);
        return b;
    }
}
