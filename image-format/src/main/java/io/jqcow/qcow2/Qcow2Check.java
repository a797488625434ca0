package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * qemu-img check for qcow2: compares on-disk refcounts with the references the metadata makes,
 * checks COPIED flags, and optionally repairs (leaks: lower refcounts; all: rebuild the refcount
 * structure and fix COPIED flags).
 */
public final class Qcow2Check {
    /** What to repair. */
    public enum Repair { NONE, LEAKS, ALL }

    /**
     * Counters as qemu-img reports them, plus the messages (one line each) it prints.
     *
     * @param rebuildNeeded refcount structures need a rebuild that was not (allowed to be) done
     */
    public record Result(long corruptions, long leaks, long checkErrors, long corruptionsFixed, long leaksFixed,
                         long totalClusters, long allocatedClusters, long fragmentedClusters,
                         long compressedClusters, long imageEndOffset, boolean rebuildNeeded, List<String> messages) {

        /** qemu-img check's exit status. */
        public int exitCode() {
            return checkErrors > 0 ? 1 : corruptions > 0 ? 2 : leaks > 0 ? 3 : 0;
        }
    }

    private Qcow2Check() {
    }

    /** Checks (and with repair, fixes) the qcow2 image on file. */
    public static Result check(BlockNode file, Repair repair) throws BlockException {
        Pass first = pass(file, repair != Repair.NONE);
        if (repair == Repair.NONE || (first.corruptions == 0 && first.leaks == 0 && first.checkErrors == 0
                && !dirtyOrCorrupt(first.h))) {
            return first.result(0, 0, false);
        }
        List<String> messages = new ArrayList<>(first.counter.messages);
        if (repair == Repair.LEAKS && (first.rebuild || first.corruptions > 0)) {
            if (first.rebuild) {
                messages.add("ERROR need to rebuild refcount structures");
                Result r = first.result(0, 0, true);
                return new Result(r.corruptions(), r.leaks(), r.checkErrors() + 1, 0, 0, r.totalClusters(),
                        r.allocatedClusters(), r.fragmentedClusters(), r.compressedClusters(), r.imageEndOffset(),
                        true, messages);
            }
            fixLeaks(file, first);
        } else if (repair == Repair.LEAKS || (first.corruptions == 0 && first.checkErrors == 0)) {
            fixLeaks(file, first);
        } else if (!first.rebuild) {
            fixInPlace(file, first, messages);
        } else {
            messages.add("Rebuilding refcount structure");
            HeaderValidator.Validated v = validated(file, first.h);
            new RefcountRebuilder(file, first.h, v.extensions()).rebuild(first.l1, first.snaps, v.backingName());
        }
        Pass after = pass(file, true);
        if (after.corruptions == 0 && after.checkErrors == 0 && dirtyOrCorrupt(after.h)) {
            long bits = after.h.incompatibleFeatures() & ~(Qcow2Header.INCOMPAT_DIRTY | Qcow2Header.INCOMPAT_CORRUPT);
            file.write(72, ByteBuffer.allocate(8).putLong(0, bits));
            file.flush();
        }
        messages.addAll(after.counter.messages);
        long cFixed = Math.max(0, first.corruptions - after.corruptions);
        long lFixed = Math.max(0, first.leaks - after.leaks);
        Result r = after.result(cFixed, lFixed, false);
        return new Result(r.corruptions(), r.leaks(), r.checkErrors(), cFixed, lFixed, r.totalClusters(),
                r.allocatedClusters(), r.fragmentedClusters(), r.compressedClusters(), r.imageEndOffset(), false,
                messages);
    }

    private static boolean dirtyOrCorrupt(Qcow2Header h) {
        return h.hasIncompatible(Qcow2Header.INCOMPAT_DIRTY) || h.hasIncompatible(Qcow2Header.INCOMPAT_CORRUPT);
    }

    private static HeaderValidator.Validated validated(BlockNode file, Qcow2Header h) throws BlockException {
        ByteBuffer c0 = ByteBuffer.allocate((int) Math.min(file.length(), h.clusterSize()));
        file.read(0, c0.duplicate());
        return HeaderValidator.validate(h, c0, false, true);
    }

    /** One read-only pass over the image. */
    private static final class Pass {
        Qcow2Header h;
        ReferenceCounter counter;
        long[] l1;
        SnapshotTable snaps;
        long[] reftable;
        long corruptions;
        long leaks;
        long checkErrors;
        boolean rebuild;
        long endCluster;
        final List<long[]> leaked = new ArrayList<>();
        /** Every cluster whose on-disk refcount differs from the references: {cluster, disk, wanted}. */
        final List<long[]> mismatched = new ArrayList<>();
        private final java.util.Map<Long, ByteBuffer> blocks = new java.util.HashMap<>();

        ByteBuffer blockCache(BlockNode file, long offset, Geometry g) throws BlockException {
            ByteBuffer b = blocks.get(offset);
            if (b == null) {
                b = ByteBuffer.allocate(g.clusterSize());
                file.read(offset, b.duplicate());
                blocks.put(offset, b);
            }
            return b;
        }

        Result result(long cFixed, long lFixed, boolean rebuildNeeded) {
            Geometry g = Geometry.of(h);
            return new Result(corruptions, leaks, checkErrors, cFixed, lFixed,
                    (h.size() + g.clusterMask()) >>> g.clusterBits(), counter.allocated, counter.fragmented,
                    counter.compressed, g.offsetOf(endCluster), rebuildNeeded || rebuild,
                    List.copyOf(counter.messages));
        }
    }

    private static Pass pass(BlockNode file, boolean repairing) throws BlockException {
        Pass p = new Pass();
        long fileLen = file.length();
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileLen, 512));
        file.read(0, first.duplicate());
        Qcow2Header h = Qcow2Header.parse(first);
        if (h.clusterBits() < 9 || h.clusterBits() > 21) {
            throw new BlockException(Errno.EINVAL, 20, "Unsupported cluster size: 2^" + h.clusterBits());
        }
        ByteBuffer c0 = ByteBuffer.allocate((int) Math.min(fileLen, h.clusterSize()));
        file.read(0, c0.duplicate());
        p.h = Qcow2Header.parse(c0);
        HeaderValidator.Validated v = HeaderValidator.validate(p.h, c0, false, true);
        Geometry g = Geometry.of(p.h);
        ReferenceCounter rc = new ReferenceCounter(file, p.h, fileLen);
        p.counter = rc;
        p.l1 = readTable(file, p.h.l1TableOffset(), p.h.l1Size());
        try {
            p.snaps = SnapshotTable.read(file, p.h);
        } catch (BlockException e) {
            rc.messages.add("ERROR: " + e.getMessage());
            rc.checkErrors++;
            p.snaps = SnapshotTable.empty();
        }
        if (p.h.version() >= 3) {
            for (int i = 0; i < p.snaps.entries().size(); i++) {
                if (p.snaps.entries().get(i).extra().length < 16) {
                    rc.corruption("ERROR snapshot table entry " + i + " is incomplete");
                }
            }
        }
        rc.add(0, g.clusterSize());
        rc.add(p.h.l1TableOffset(), 8L * p.h.l1Size());
        rc.addTree(p.l1, true);
        if (g.externalData() && !p.snaps.entries().isEmpty()) {
            rc.corruption("ERROR: snapshots are not allowed with an external data file");
        }
        for (SnapshotTable.Entry e : p.snaps.entries()) {
            if (!SnapshotTable.l1Valid(e, g.clusterSize())) {
                rc.corruption("ERROR: snapshot L1 table offset 0x" + Long.toHexString(e.l1TableOffset())
                        + " or size " + Integer.toUnsignedString(e.l1Size()) + " invalid");
                continue;
            }
            rc.add(e.l1TableOffset(), 8L * e.l1Size());
            rc.addTree(readTable(file, e.l1TableOffset(), e.l1Size()), false);
        }
        rc.add(p.h.snapshotsOffset(), p.snaps.tableBytes());
        long reftableBytes = (long) p.h.refcountTableClusters() * g.clusterSize();
        rc.add(p.h.refcountTableOffset(), reftableBytes);
        FdeExtension fde = v.extensions().fdeExtension();
        if (fde != null && fde.length() != 0) {
            rc.add(fde.offset(), fde.length());
        }
        BitmapsExtension bitmaps = v.extensions().bitmapsExtension();
        if (bitmaps != null && (p.h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
            BitmapClusters.visit(file, bitmaps, rc::add);
        }
        p.reftable = RefcountStore.readTable(file, p.h.refcountTableOffset(), p.h.refcountTableClusters(),
                g.clusterSize());
        long fileClusters = (fileLen + g.clusterMask()) >>> g.clusterBits();
        for (int i = 0; i < p.reftable.length; i++) {
            long e = p.reftable[i];
            long off = e & RefcountStore.REFT_OFFSET_MASK;
            if ((e & 0x1FF) != 0) {
                rc.corruption("ERROR refcount table entry " + i + " has reserved bits set");
                p.rebuild = true;
                continue;
            }
            if (off == 0) {
                continue;
            }
            if ((off & g.clusterMask()) != 0) {
                rc.corruption("ERROR refcount block " + i + " is not cluster aligned; refcount table entry corrupted");
                p.rebuild = true;
                continue;
            }
            if (g.clusterOf(off) >= fileClusters) {
                rc.corruption("ERROR refcount block " + i + " is outside image");
                p.rebuild = true;
                continue;
            }
            rc.add(off, g.clusterSize());
            if (rc.count(g.clusterOf(off)) != 1) {
                rc.corruption("ERROR refcount block " + i + " refcount=" + rc.count(g.clusterOf(off)));
                p.rebuild = true;
            }
        }
        compare(file, p, g, fileClusters);
        checkCopied(file, p, g);
        p.corruptions = rc.corruptions;
        p.checkErrors = rc.checkErrors;
        return p;
    }

    private static void compare(BlockNode file, Pass p, Geometry g, long fileClusters) throws BlockException {
        ReferenceCounter rc = p.counter;
        long n = Math.max(fileClusters, rc.counts.length);
        for (long c = 0; c < n; c++) {
            long disk = onDisk(file, p, g, c);
            long want = rc.count(c);
            if (disk != 0 || want != 0) {
                p.endCluster = c + 1;
            }
            if (disk == want || c >= fileClusters && want == 0) {
                continue;
            }
            p.mismatched.add(new long[] {c, disk, want});
            if (Long.compareUnsigned(disk, want) < 0) {
                rc.corruption("ERROR cluster " + c + " refcount=" + disk + " reference=" + want);
                if (disk == 0) {
                    p.rebuild = true;
                }
            } else {
                rc.messages.add("Leaked cluster " + c + " refcount=" + disk + " reference=" + want);
                p.leaks++;
                p.leaked.add(new long[] {c, want});
            }
        }
    }

    private static long onDisk(BlockNode file, Pass p, Geometry g, long cluster) throws BlockException {
        long i = cluster >>> g.refblockBits();
        if (i >= p.reftable.length) {
            return 0;
        }
        long block = p.reftable[(int) i] & RefcountStore.REFT_OFFSET_MASK;
        if (block == 0 || (block & g.clusterMask()) != 0 || (p.reftable[(int) i] & 0x1FF) != 0) {
            return 0;
        }
        ByteBuffer b = p.blockCache(file, block, g);
        return RefcountEntries.get(b, g.refcountOrder(), (int) (cluster & ((1L << g.refblockBits()) - 1)));
    }

    private static void checkCopied(BlockNode file, Pass p, Geometry g) throws BlockException {
        for (int i = 0; i < p.l1.length; i++) {
            long l2 = p.l1[i] & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0 || (l2 & g.clusterMask()) != 0) {
                continue;
            }
            long rc = onDisk(file, p, g, g.clusterOf(l2));
            if ((rc == 1) != ((p.l1[i] & L2Entry.COPIED) != 0)) {
                p.counter.corruption(String.format("ERROR OFLAG_COPIED L2 cluster: l1_index=%d l1_entry=%x refcount=%d",
                        i, p.l1[i], rc));
            }
            ByteBuffer t = ByteBuffer.allocate(g.clusterSize());
            file.read(l2, t.duplicate());
            for (int j = 0; j < g.l2Entries(); j++) {
                L2Entry e = new L2Entry(t.getLong(j * g.l2EntrySize()), 0);
                L2Entry.Type type = e.clusterType(g);
                if ((type != L2Entry.Type.NORMAL && type != L2Entry.Type.ZERO_ALLOC)
                        || (e.hostOffset() & g.clusterMask()) != 0) {
                    continue;
                }
                long drc = g.externalData() ? 1 : onDisk(file, p, g, g.clusterOf(e.hostOffset()));
                if ((drc == 1) != e.isCopied()) {
                    p.counter.corruption(String.format("ERROR OFLAG_COPIED data cluster: l2_entry=%x refcount=%d",
                            e.word(), drc));
                }
            }
        }
    }

    /**
     * -r all without a rebuild: every refcount is set to its reference count in place (raising
     * first is always safe), made durable, then COPIED flags follow the corrected refcounts.
     */
    private static void fixInPlace(BlockNode file, Pass p, List<String> messages) throws BlockException {
        Geometry g = Geometry.of(p.h);
        java.util.Set<Long> touched = new java.util.TreeSet<>();
        for (long[] m : p.mismatched) {
            long index = m[0] >>> g.refblockBits();
            if (index >= p.reftable.length) {
                continue;
            }
            long block = p.reftable[(int) index] & RefcountStore.REFT_OFFSET_MASK;
            if (block == 0) {
                continue;
            }
            messages.add("Repairing cluster " + m[0] + " refcount=" + m[1] + " reference=" + m[2]);
            RefcountEntries.set(p.blockCache(file, block, g), g.refcountOrder(),
                    (int) (m[0] & ((1L << g.refblockBits()) - 1)), m[2]);
            touched.add(block);
        }
        for (long block : touched) {
            file.write(block, p.blockCache(file, block, g).duplicate().clear());
        }
        file.flush();
        boolean l1Changed = false;
        for (int i = 0; i < p.l1.length; i++) {
            long l2 = p.l1[i] & L2Entry.L1_OFFSET_MASK;
            if (l2 == 0 || (l2 & g.clusterMask()) != 0) {
                continue;
            }
            long want = onDisk(file, p, g, g.clusterOf(l2)) == 1 ? p.l1[i] | L2Entry.COPIED : p.l1[i] & ~L2Entry.COPIED;
            if (want != p.l1[i]) {
                p.l1[i] = want;
                l1Changed = true;
            }
            ByteBuffer t = ByteBuffer.allocate(g.clusterSize());
            file.read(l2, t.duplicate());
            boolean changed = false;
            for (int j = 0; j < g.l2Entries(); j++) {
                int at = j * g.l2EntrySize();
                L2Entry e = new L2Entry(t.getLong(at), 0);
                L2Entry.Type type = e.clusterType(g);
                if ((type != L2Entry.Type.NORMAL && type != L2Entry.Type.ZERO_ALLOC)
                        || (e.hostOffset() & g.clusterMask()) != 0) {
                    continue;
                }
                boolean one = g.externalData() || onDisk(file, p, g, g.clusterOf(e.hostOffset())) == 1;
                long w = one ? e.word() | L2Entry.COPIED : e.word() & ~L2Entry.COPIED;
                if (w != e.word()) {
                    t.putLong(at, w);
                    changed = true;
                }
            }
            if (changed) {
                file.write(l2, t);
            }
        }
        if (l1Changed) {
            ByteBuffer b = ByteBuffer.allocate(p.l1.length * 8);
            b.asLongBuffer().put(p.l1);
            file.write(p.h.l1TableOffset(), b);
        }
        file.flush();
    }

    /** -r leaks: lower leaked refcounts to what is referenced (references never point there, so no ordering). */
    private static void fixLeaks(BlockNode file, Pass p) throws BlockException {
        Geometry g = Geometry.of(p.h);
        java.util.Set<Long> touched = new java.util.TreeSet<>();
        for (long[] leak : p.leaked) {
            long block = p.reftable[(int) (leak[0] >>> g.refblockBits())] & RefcountStore.REFT_OFFSET_MASK;
            ByteBuffer b = p.blockCache(file, block, g);
            RefcountEntries.set(b, g.refcountOrder(), (int) (leak[0] & ((1L << g.refblockBits()) - 1)), leak[1]);
            touched.add(block);
        }
        for (long block : touched) {
            file.write(block, p.blockCache(file, block, g).duplicate().clear());
        }
        file.flush();
    }

    private static long[] readTable(BlockNode file, long offset, int entries) throws BlockException {
        long[] t = new long[entries];
        if (entries > 0) {
            ByteBuffer b = ByteBuffer.allocate(entries * 8);
            file.read(offset, b.duplicate());
            b.asLongBuffer().get(t);
        }
        return t;
    }
}
