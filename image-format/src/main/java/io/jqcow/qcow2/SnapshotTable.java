package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The internal snapshot table, read-only: what exists, for info and for refcount handling. */
public final class SnapshotTable {
    static final int MAX_EXTRA = 1024;
    static final long MAX_TABLE_BYTES = 64L << 20;

    /** One snapshot. vmStateSize uses the 64-bit field when present; diskSize is -1 when absent. */
    public record Entry(long l1TableOffset, int l1Size, String id, String name, long dateSec, long dateNsec,
                        long vmClockNsec, long vmStateSize, long diskSize, long icount, byte[] extra) {
    }

    private final List<Entry> entries;
    private final long tableBytes;

    private SnapshotTable(List<Entry> entries, long tableBytes) {
        this.entries = List.copyOf(entries);
        this.tableBytes = tableBytes;
    }

    public static SnapshotTable empty() {
        return new SnapshotTable(List.of(), 0);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Exact byte size of the table on disk. */
    public long tableBytes() {
        return tableBytes;
    }

    /** A table holding these entries (its size computed as on disk). */
    static SnapshotTable of(List<Entry> entries) {
        long bytes = 0;
        for (Entry e : entries) {
            bytes += entrySize(e);
        }
        return new SnapshotTable(entries, bytes);
    }

    private static long entrySize(Entry e) {
        long n = 40 + e.extra().length + e.id().getBytes(StandardCharsets.UTF_8).length
                + e.name().getBytes(StandardCharsets.UTF_8).length;
        return (n + 7) & ~7L;
    }

    /** The on-disk bytes of the table. */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate((int) tableBytes);
        for (Entry e : entries) {
            int start = b.position();
            byte[] id = e.id().getBytes(StandardCharsets.UTF_8);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            b.putLong(e.l1TableOffset()).putInt(e.l1Size()).putShort((short) id.length).putShort((short) name.length)
                    .putInt((int) e.dateSec()).putInt((int) e.dateNsec()).putLong(e.vmClockNsec())
                    .putInt(e.vmStateSize() > 0xFFFFFFFFL ? 0 : (int) e.vmStateSize()).putInt(e.extra().length)
                    .put(e.extra()).put(id).put(name);
            b.position(start + (int) entrySize(e));
        }
        return b.array();
    }

    static SnapshotTable read(BlockNode file, Qcow2Header h) throws BlockException {
        int n = h.nbSnapshots();
        if (n == 0) {
            return empty();
        }
        List<Entry> out = new ArrayList<>();
        long off = h.snapshotsOffset();
        long pos = 0;
        for (int i = 0; i < n; i++) {
            ByteBuffer fixed = read(file, off + pos, 40);
            long l1Off = fixed.getLong(0);
            int l1Size = fixed.getInt(8);
            int idLen = fixed.getShort(12) & 0xFFFF;
            int nameLen = fixed.getShort(14) & 0xFFFF;
            long extraLen = Integer.toUnsignedLong(fixed.getInt(36));
            if (extraLen > MAX_EXTRA) {
                throw new BlockException(Errno.EFBIG, off + pos,
                        "Too much extra metadata in snapshot table entry " + i);
            }
            ByteBuffer rest = read(file, off + pos + 40, (int) extraLen + idLen + nameLen);
            byte[] extra = new byte[(int) extraLen];
            rest.get(0, extra);
            ByteBuffer ex = ByteBuffer.wrap(extra);
            long vmState = Integer.toUnsignedLong(fixed.getInt(32));
            if (extraLen >= 8) {
                vmState = ex.getLong(0);
            }
            long diskSize = extraLen >= 16 ? ex.getLong(8) : -1;
            long icount = extraLen >= 24 ? ex.getLong(16) : -1;
            byte[] id = new byte[idLen];
            rest.get((int) extraLen, id);
            byte[] name = new byte[nameLen];
            rest.get((int) extraLen + idLen, name);
            out.add(new Entry(l1Off, l1Size, new String(id, StandardCharsets.UTF_8),
                    new String(name, StandardCharsets.UTF_8), Integer.toUnsignedLong(fixed.getInt(16)),
                    Integer.toUnsignedLong(fixed.getInt(20)), fixed.getLong(24), vmState, diskSize, icount, extra));
            pos += 40 + extraLen + idLen + nameLen;
            pos = (pos + 7) & ~7L;
            if (pos > MAX_TABLE_BYTES) {
                throw new BlockException(Errno.EFBIG, off, "Snapshot table too large");
            }
        }
        return new SnapshotTable(out, pos);
    }

    /**
     * Whether a snapshot's L1 table is usable. Like QEMU, this is not checked at open (an image
     * with one bad snapshot still opens and serves its active layer) but whenever a snapshot's
     * tree is used.
     */
    static boolean l1Valid(Entry e, int clusterSize) {
        return (e.l1TableOffset() & (clusterSize - 1)) == 0
                && Integer.toUnsignedLong(e.l1Size()) * 8 <= HeaderValidator.MAX_L1_BYTES;
    }

    /** Throws unless {@link #l1Valid}; use before reading or changing a snapshot's tree. */
    static void checkL1(Entry e, int clusterSize) throws BlockException {
        if ((e.l1TableOffset() & (clusterSize - 1)) != 0) {
            throw new BlockException(Errno.EINVAL, e.l1TableOffset(), "Snapshot L1 table offset invalid");
        }
        if (Integer.toUnsignedLong(e.l1Size()) * 8 > HeaderValidator.MAX_L1_BYTES) {
            throw new BlockException(Errno.EFBIG, e.l1TableOffset(), "Snapshot L1 table too large");
        }
    }

    private static ByteBuffer read(BlockNode file, long off, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        if (len > 0) {
            file.read(off, b.duplicate());
        }
        return b;
    }
}
