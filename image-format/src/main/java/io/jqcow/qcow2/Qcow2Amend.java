package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.Map;

/** qemu-img amend for the header-only options: compat (0.10 / 1.1) and lazy_refcounts. */
final class Qcow2Amend {
    private final Qcow2State s;

    Qcow2Amend(Qcow2State s) {
        this.s = s;
    }

    void amend(Map<String, String> options) throws BlockException {
        for (String k : options.keySet()) {
            if (!k.equals("compat") && !k.equals("lazy_refcounts")) {
                throw new BlockException(Errno.ENOTSUP, "Changing the option '" + k + "' is not supported");
            }
        }
        s.lock.lock();
        try {
            s.flushMetadata();
            s.markClean();
            Qcow2Header h = s.header();
            String compat = options.get("compat");
            int version = compat == null ? h.version() : switch (compat) {
                case "0.10", "v2" -> 2;
                case "1.1", "v3" -> 3;
                default -> throw new BlockException(Errno.EINVAL, "Invalid compatibility level: '" + compat + "'");
            };
            long compatBits = h.compatibleFeatures();
            String lazy = options.get("lazy_refcounts");
            if (lazy != null) {
                boolean on = switch (lazy) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new BlockException(Errno.EINVAL, "Parameter 'lazy_refcounts' expects 'on' or 'off'");
                };
                compatBits = on ? compatBits | Qcow2Header.COMPAT_LAZY_REFCOUNTS
                        : compatBits & ~Qcow2Header.COMPAT_LAZY_REFCOUNTS;
                if (on && version < 3) {
                    throw new BlockException(Errno.EINVAL, "Lazy refcounts only supported with compatibility level 1.1 "
                            + "and above (use version=v3 or greater)");
                }
            }
            Qcow2Header next;
            if (version == 2) {
                checkDowngrade(h);
                next = new Qcow2Header(2, h.backingFileOffset(), h.backingFileSize(), h.clusterBits(), h.size(),
                        h.cryptMethod(), h.l1Size(), h.l1TableOffset(), h.refcountTableOffset(),
                        h.refcountTableClusters(), h.nbSnapshots(), h.snapshotsOffset(), 0, 0, 0, 4,
                        Qcow2Header.V2_LENGTH, 0, new byte[0]);
            } else {
                next = new Qcow2Header(3, h.backingFileOffset(), h.backingFileSize(), h.clusterBits(), h.size(),
                        h.cryptMethod(), h.l1Size(), h.l1TableOffset(), h.refcountTableOffset(),
                        h.refcountTableClusters(), h.nbSnapshots(), h.snapshotsOffset(), h.incompatibleFeatures(),
                        compatBits, h.autoclearFeatures(), h.refcountOrder(), Qcow2Header.V3_LENGTH,
                        h.compressionType(), h.version() >= 3 ? h.extraBytes() : new byte[0]);
            }
            if (!next.equals(h)) {
                s.rewriteHeader(next, s.extensions());
            }
        } finally {
            s.lock.unlock();
        }
    }

    /** v2 cannot express zero clusters, subclusters, data files, zstd, other refcount widths or bitmaps. */
    private void checkDowngrade(Qcow2Header h) throws BlockException {
        if (h.version() < 3) {
            return;
        }
        if (h.refcountOrder() != 4) {
            throw new BlockException(Errno.ENOTSUP, "compat=0.10 requires refcount_bits=16");
        }
        if ((h.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_DIRTY) != 0) {
            throw new BlockException(Errno.ENOTSUP, "Cannot downgrade an image with extended L2 entries, an "
                    + "external data file or non-zlib compression");
        }
        if (s.extensions().bitmaps() != null) {
            throw new BlockException(Errno.ENOTSUP, "Cannot downgrade an image with bitmaps");
        }
        Geometry g = s.geometry();
        long[][] tables = new long[1 + s.snapshots().entries().size()][];
        tables[0] = s.l1();
        for (int i = 0; i < s.snapshots().entries().size(); i++) {
            SnapshotTable.Entry e = s.snapshots().entries().get(i);
            SnapshotTable.checkL1(e, g.clusterSize());
            ByteBuffer b = ByteBuffer.allocate(8 * e.l1Size());
            s.file.read(e.l1TableOffset(), b.duplicate());
            tables[i + 1] = new long[e.l1Size()];
            b.asLongBuffer().get(tables[i + 1]);
        }
        for (long[] l1 : tables) {
            for (long e : l1) {
                long l2 = e & L2Entry.L1_OFFSET_MASK;
                if (l2 == 0) {
                    continue;
                }
                for (int off = 0; off < g.clusterSize(); off += s.l2Cache().pieceSize()) {
                    ByteBuffer slice = s.l2Cache().get(l2 + off);
                    for (int p = 0; p < s.l2Cache().pieceSize(); p += 8) {
                        long w = slice.getLong(p);
                        if ((w & L2Entry.COMPRESSED) == 0 && (w & L2Entry.ZERO) != 0) {
                            throw new BlockException(Errno.ENOTSUP,
                                    "Cannot downgrade an image with zero clusters (not supported by jqcow)");
                        }
                    }
                }
            }
        }
    }
}
