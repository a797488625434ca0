package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.HeaderCodec;
import io.jqcow.qcow2.HeaderExtensions;
import io.jqcow.qcow2.HeaderValidator;
import io.jqcow.qcow2.Qcow2Header;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * qemu-img check for qcow2, over the image's file node: builds the IMRT, compares it with the stored
 * refcounts, checks COPIED flags and, when asked, repairs. Open the node read-only for a plain check
 * and read-write for a repair.
 *
 * <p>Order of one pass: snapshot table, IMRT, comparison (plus rebuild or repair), COPIED, then clearing
 * the dirty and corrupt bits when a repair left nothing wrong.
 */
public final class Qcow2Check {
    private final BlockNode file;

    public Qcow2Check(BlockNode file) {
        this.file = file;
    }

    /** The outcome qemu-img reports, and the repair pass's counters when a second pass verified a repair. */
    public record Outcome(CheckResult result, CheckResult repairPass) {
        public boolean repaired() {
            return repairPass != null;
        }
    }

    /**
     * One pass, then (as qemu-img does) when it fixed anything a plain verification pass whose
     * counters are reported with the repair's fixed counts.
     *
     * @param beforeVerify runs between the passes (qemu-img prints its repair summary there); may be null
     */
    public Outcome checkAndVerify(CheckMode mode, CheckLog log, Consumer<CheckResult> beforeVerify)
            throws BlockException {
        CheckResult first = check(mode, log);
        if (mode == CheckMode.NONE || !first.anythingFixed()) {
            return new Outcome(first, null);
        }
        if (beforeVerify != null) {
            beforeVerify.accept(first);
        }
        CheckResult second = check(CheckMode.NONE, log);
        return new Outcome(second.withFixedFrom(first), first);
    }

    /** Reads and validates the header as a check-mode open does; failures mean the image cannot be opened. */
    public void validate() throws BlockException {
        load(CheckLog.SILENT);
    }

    /**
     * True when the image carries a bitmaps extension without the autoclear bit: a program without
     * bitmap support wrote it, so the bitmaps are stale and their clusters leaked.
     */
    public boolean hasStaleBitmaps() throws BlockException {
        CheckImage img = load(CheckLog.SILENT);
        return img.ext.bitmaps() != null && (img.header.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) == 0;
    }

    /** One check pass with the given repairs. */
    public CheckResult check(CheckMode mode, CheckLog log) throws BlockException {
        CheckImage img = load(log);
        if (mode != CheckMode.NONE) {
            clearAutoclearForWriting(img);
        }
        Qcow2Header h = img.header;
        CheckCounters res = new CheckCounters();
        res.totalClusters = (h.size() + img.g.clusterMask()) >>> img.g.clusterBits();
        CheckSnapshots snaps = CheckSnapshots.read(file, h, res, log, mode);
        // A read-only check overlaps the COPIED pass with the walk (see OverlappedCopiedCheck).
        OverlappedCopiedCheck copied = mode == CheckMode.NONE ? OverlappedCopiedCheck.start(img, snaps) : null;
        ReferenceWalk walk = new ReferenceWalk(img, res, mode);
        walk.run(snaps);
        StoredRefcounts stored = img.storedRefcounts();
        CheckCounters beforeCompare = res.copy();
        RefcountComparison cmp = RefcountComparison.run(img, res, CheckMode.NONE, walk.counts, stored);
        boolean rebuild = cmp.rebuildNeeded || walk.rebuildNeeded;
        if (rebuild && mode.fixesErrors()) {
            Rebuilt r = rebuild(img, res, snaps, walk);
            cmp = r.comparison();
            stored = r.stored();
        } else if (mode != CheckMode.NONE) {
            if (rebuild) {
                log.line("ERROR need to rebuild refcount structures");
                throw new CheckFailedException(Errno.EIO, Errno.EIO.description());
            }
            if (res.leaks > 0 || res.corruptions > 0) {
                res.restoreErrorsFrom(beforeCompare);
                cmp = RefcountComparison.run(img, res, mode, walk.counts, stored);
            }
        }
        res.imageEndOffset = (cmp.highestCluster + 1) << img.g.clusterBits();
        if (copied != null) {
            copied.finish(log, res);
        } else {
            CopiedFlagCheck.run(img, res, mode, stored, new RepairOverlapCheck(img, snaps, stored));
        }
        if (snaps.needsRewrite()) {
            SnapshotTableRewrite.run(img, snaps, stored);
        }
        if (mode != CheckMode.NONE) {
            stored.flush();
            file.flush();
            if (res.checkErrors == 0 && res.corruptions == 0) {
                markCleanAndConsistent(img);
            }
        }
        return res.snapshot();
    }

    /**
     * Rebuilds the refcount structure, then counts again: the old table and blocks are now leaks,
     * fixed silently as part of the rebuild; what the first count found and the second no longer
     * does is reported as fixed.
     */
    /** After a rebuild: the second comparison and the refcounts it repaired (not yet flushed). */
    private record Rebuilt(RefcountComparison comparison, StoredRefcounts stored) {
    }

    private Rebuilt rebuild(CheckImage img, CheckCounters res, CheckSnapshots snaps, ReferenceWalk walk)
            throws BlockException {
        img.log.line("Rebuilding refcount structure");
        new RefcountRebuild(img, walk.counts).run();
        long oldCorruptions = res.corruptions;
        long oldLeaks = res.leaks;
        res.corruptions = 0;
        res.leaks = 0;
        ReferenceWalk again = new ReferenceWalk(img, res, CheckMode.NONE);
        CheckCounters stats = res.copy();
        again.run(snaps);
        // The recount repeats the allocation statistics; keep the first count's.
        res.allocatedClusters = stats.allocatedClusters;
        res.fragmentedClusters = stats.fragmentedClusters;
        res.compressedClusters = stats.compressedClusters;
        CheckCounters saved = res.copy();
        CheckCounters fresh = new CheckCounters();
        StoredRefcounts rebuilt = img.storedRefcounts();
        RefcountComparison cmp = RefcountComparison.run(img, fresh, CheckMode.LEAKS, again.counts, rebuilt);
        if (cmp.rebuildNeeded) {
            img.log.line("ERROR rebuilt refcount structure is still broken");
        }
        res.restoreErrorsFrom(saved);
        if (res.corruptions < oldCorruptions) {
            res.corruptionsFixed += oldCorruptions - res.corruptions;
        }
        if (res.leaks < oldLeaks) {
            res.leaksFixed += oldLeaks - res.leaks;
        }
        res.leaks += fresh.leaks;
        return new Rebuilt(cmp, rebuilt);
    }

    /**
     * What a writable open does first (qemu-img's repair opens read-write): unknown autoclear bits are
     * cleared, and a bitmaps extension without its autoclear bit is dropped (its clusters are then
     * ordinary leaks for this check to reclaim).
     */
    private void clearAutoclearForWriting(CheckImage img) throws BlockException {
        Qcow2Header h = img.header;
        long known = Qcow2Header.AUTOCLEAR_KNOWN;
        boolean stale = img.ext.bitmaps() != null && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) == 0;
        if ((h.autoclearFeatures() & ~known) == 0 && !stale || h.version() < 3) {
            return;
        }
        HeaderExtensions ext = stale ? img.ext.withoutBitmaps() : img.ext;
        HeaderCodec.Encoded enc = HeaderCodec.encode(h.withAutoclear(h.autoclearFeatures() & known), ext,
                img.backingName);
        file.write(0, enc.cluster());
        file.flush();
        img.header = enc.header();
        img.ext = ext;
    }

    private void markCleanAndConsistent(CheckImage img) throws BlockException {
        Qcow2Header h = img.header;
        long bits = Qcow2Header.INCOMPAT_DIRTY | Qcow2Header.INCOMPAT_CORRUPT;
        if (h.version() < 3 || (h.incompatibleFeatures() & bits) == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(8).putLong(0, h.incompatibleFeatures() & ~bits);
        file.write(72, b);
        file.flush();
        img.header = h.withIncompatible(h.incompatibleFeatures() & ~bits);
    }

    CheckImage load(CheckLog log) throws BlockException {
        long len = file.length();
        if (len < Qcow2Header.V2_LENGTH) {
            throw new BlockException(Errno.EINVAL, 0, "Image is not in qcow2 format");
        }
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(len, 512));
        file.read(0, first.duplicate());
        Qcow2Header h = Qcow2Header.parse(first);
        int cs = h.clusterBits() >= 9 && h.clusterBits() <= 21 ? 1 << h.clusterBits() : 512;
        ByteBuffer cluster0 = ByteBuffer.allocate((int) Math.min(len, cs));
        file.read(0, cluster0.duplicate());
        h = Qcow2Header.parse(cluster0);
        HeaderValidator.Validated v = HeaderValidator.validate(h, cluster0, false, true);
        CheckImage img = new CheckImage(file, h, v.extensions(), log);
        img.backingName = v.backingName();
        if (v.extensions().bitmaps() != null && (h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
            img.bitmaps = BitmapWalk.validate(img, ByteBuffer.wrap(v.extensions().bitmaps()), h.size());
        }
        return img;
    }
}
