package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.qcow2.check.CheckMode;
import io.jqcow.qcow2.check.CheckResult;
import io.jqcow.qcow2.check.Qcow2Check;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and validates an image's metadata and builds its state; repairs what a writable open must. */
final class Qcow2Opener {
    /** Looked up when something is logged, which is rare: starting the logging back end costs ~30 ms. */
    private static Logger log() {
        return LoggerFactory.getLogger(Qcow2Opener.class);
    }

    private Qcow2Opener() {
    }

    static Qcow2State open(BlockNode file, boolean readOnly, boolean openBacking, Qcow2Options opts,
                           ChildOpener children) throws BlockException {
        long fileLen = file.length();
        if (fileLen < Qcow2Header.V2_LENGTH) {
            throw new BlockException(Errno.EINVAL, 0, "Image is not in qcow2 format (truncated header: "
                    + fileLen + " bytes)");
        }
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileLen, 512));
        file.read(0, first.duplicate());
        Qcow2Header h = Qcow2Header.parse(first);
        int cs = (h.clusterBits() >= 9 && h.clusterBits() <= 21) ? 1 << h.clusterBits() : 512;
        ByteBuffer cluster0 = ByteBuffer.allocate((int) Math.min(fileLen, cs));
        file.read(0, cluster0.duplicate());
        h = Qcow2Header.parse(cluster0);
        HeaderValidator.Validated v = HeaderValidator.validate(h, cluster0, !readOnly, false);
        HeaderExtensions ext = v.extensions();
        if (h.hasIncompatible(Qcow2Header.INCOMPAT_DIRTY) && !readOnly) {
            // Refcounts may be too low: repair them (check -r all, as QEMU does on such an open)
            // before anything can be allocated or freed, then read the repaired header.
            repairDirty(file);
            file.read(0, cluster0.clear().duplicate());
            h = Qcow2Header.parse(cluster0);
            v = HeaderValidator.validate(h, cluster0, true, false);
            ext = v.extensions();
        }
        BlockNode dataFile = null;
        BlockNode backing = null;
        try {
            if (h.hasIncompatible(Qcow2Header.INCOMPAT_DATA_FILE)) {
                String name = opts.dataFile() != null ? opts.dataFile() : ext.dataFile();
                if (name == null) {
                    throw new BlockException(Errno.EINVAL, "'data-file' is required for this image");
                }
                dataFile = children.openDataFile(name, readOnly);
            }
            if (v.backingName() != null && openBacking) {
                backing = children.openBacking(v.backingName(), ext.backingFormat());
            }
            SnapshotTable snaps = SnapshotTable.read(file, h);
            if (opts.loadsSnapshot()) {
                h = TemporarySnapshot.header(h, snaps, opts, readOnly);
            }
            Qcow2State s = new Qcow2State(file, dataFile, backing, opts, h, ext, v.backingName(), readOnly);
            long[] l1 = readL1(file, h);
            long[] reftable = RefcountStore.readTable(file, h.refcountTableOffset(), h.refcountTableClusters(), cs);
            s.init(l1, snaps, reftable);
            if (!readOnly) {
                clearAutoclear(s);
            }
            return s;
        } catch (BlockException | RuntimeException e) {
            closeQuietly(backing);
            closeQuietly(dataFile);
            throw e;
        }
    }

    private static void repairDirty(BlockNode file) throws BlockException {
        CheckResult r = new Qcow2Check(file).check(CheckMode.ALL, line -> log().warn("qcow2: {}", line));
        if (r.checkErrors() > 0) {
            throw new BlockException(Errno.EIO, 0, "Could not repair dirty image: " + r.checkErrors()
                    + " check error(s)");
        }
    }

    private static long[] readL1(BlockNode file, Qcow2Header h) throws BlockException {
        long[] l1 = new long[h.l1Size()];
        if (l1.length > 0) {
            ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
            file.read(h.l1TableOffset(), b.duplicate());
            b.asLongBuffer().get(l1);
        }
        return l1;
    }

    /** Unknown autoclear bits and the bitmaps bit (we do not keep bitmaps up to date) are cleared. */
    private static void clearAutoclear(Qcow2State s) throws BlockException {
        Qcow2Header h = s.header();
        long keep = h.autoclearFeatures() & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW;
        if (keep != h.autoclearFeatures()) {
            s.rewriteHeader(h.withAutoclear(keep), s.extensions());
        }
    }

    static void closeQuietly(BlockNode n) {
        if (n != null) {
            try {
                n.close();
            } catch (BlockException ignored) {
                // already failing; the first error matters
            }
        }
    }
}
