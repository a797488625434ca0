package io.jqcow.qcow2.check;

import io.jqcow.testing.Qemu;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Test utility: images for the check tests, made by qemu-img/qemu-io and then (for the damaged ones)
 * edited with {@link ImageDamage}. Each scenario builds its image in the given directory.
 */
final class CheckScenarios {
    private CheckScenarios() {
    }

    /** Builds one image. */
    interface Builder {
        Path build(Path dir) throws Exception;
    }

    /**
     * @param qemuCannotRepair qemu-img 7.2's own -r all fails here (its overlap check refuses to write
     *                         the new refcount block over a cluster a broken table entry still names) and
     *                         marks the image corrupt; jqcow repairs it, which the test checks instead
     */
    record Scenario(String name, Builder builder, boolean qemuCannotRepair) {
        Scenario(String name, Builder builder) {
            this(name, builder, false);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Scenario> all() {
        return List.of(
                new Scenario("fresh-64k", d -> create(d, "8M")),
                new Scenario("written-512", d -> written(d, "cluster_size=512")),
                new Scenario("refcount-1bit-4k", d -> written(d, "cluster_size=4096,refcount_bits=1")),
                new Scenario("refcount-8bit", d -> written(d, "refcount_bits=8")),
                new Scenario("refcount-64bit", d -> written(d, "refcount_bits=64")),
                new Scenario("v2", d -> written(d, "compat=0.10")),
                new Scenario("extended-l2", CheckScenarios::extendedL2),
                new Scenario("snapshots", CheckScenarios::snapshots),
                new Scenario("shared-l2-snapshots", CheckScenarios::sharedL2),
                new Scenario("shared-l2-with-active", CheckScenarios::sharedL2WithActive),
                new Scenario("shared-l2-refcount-too-low", CheckScenarios::sharedL2RefcountTooLow),
                new Scenario("shared-l2-reserved-bits", CheckScenarios::sharedL2ReservedBits),
                new Scenario("l1-into-snapshot-table", CheckScenarios::l1IntoSnapshotTable),
                new Scenario("compressed", d -> compressed(d, "65536")),
                new Scenario("compressed-4k", d -> compressed(d, "4096")),
                new Scenario("bitmaps", CheckScenarios::bitmaps),
                new Scenario("leaks", CheckScenarios::leaks),
                new Scenario("leak-1bit", CheckScenarios::leakOneBit),
                new Scenario("leaks-far-apart-74k-clusters", CheckScenarios::leaksFarApart),
                new Scenario("refcount-zero", CheckScenarios::refcountZero),
                new Scenario("refcount-too-low-shared", CheckScenarios::refcountTooLow),
                new Scenario("copied-cleared", CheckScenarios::copiedCleared),
                new Scenario("copied-set-on-shared", CheckScenarios::copiedSetOnShared),
                new Scenario("l2-into-reftable", CheckScenarios::l2IntoReftable),
                new Scenario("unaligned-data", CheckScenarios::unalignedData),
                new Scenario("unaligned-zero-alloc", CheckScenarios::unalignedZeroAlloc),
                new Scenario("l1-reserved-bits", CheckScenarios::l1Reserved),
                new Scenario("compressed-copied", CheckScenarios::compressedCopied),
                new Scenario("corrupt-bit-only", CheckScenarios::corruptBit),
                new Scenario("rebuild-into-hole", CheckScenarios::rebuildIntoHole),
                new Scenario("refblock-outside-image", CheckScenarios::refblockOutside),
                new Scenario("l2-into-refblock", CheckScenarios::l2IntoRefblock),
                new Scenario("reftable-reserved-bits", CheckScenarios::reftableReserved, true),
                new Scenario("refblock-unaligned", CheckScenarios::refblockUnaligned, true),
                new Scenario("extl2-alloc-and-zero", CheckScenarios::extL2AllocAndZero),
                new Scenario("extl2-alloc-bits-unallocated", CheckScenarios::extL2AllocUnallocated),
                new Scenario("extl2-unaligned", CheckScenarios::extL2Unaligned),
                new Scenario("snapshot-l1-unaligned", CheckScenarios::snapshotL1Unaligned),
                new Scenario("snapshot-l1-too-large", CheckScenarios::snapshotL1TooLarge),
                new Scenario("snapshot-l1-reserved-bits", CheckScenarios::snapshotL1Reserved),
                new Scenario("snapshot-entry-incomplete", CheckScenarios::snapshotEntryIncomplete),
                new Scenario("snapshot-extra-too-large", CheckScenarios::snapshotExtraTooLarge),
                new Scenario("stale-bitmaps-extension", CheckScenarios::staleBitmaps),
                new Scenario("unknown-autoclear-bit", CheckScenarios::unknownAutoclear),
                new Scenario("dirty-lazy", d -> dirty(d, "lazy_refcounts=on")),
                new Scenario("dirty-lazy-8bit", d -> dirty(d, "lazy_refcounts=on,refcount_bits=8")));
    }

    static Path create(Path dir, String size, String... opts) {
        Path img = dir.resolve("img.qcow2");
        String o = opts.length == 0 ? "cluster_size=65536" : opts[0];
        Qemu.img("create", "-q", "-f", "qcow2", "-o", o, img.toString(), size);
        return img;
    }

    static Path written(Path dir, String opts) {
        Path img = create(dir, "8M", opts);
        Qemu.io(img, "write -P 1 0 300k", "write -P 2 5M 10k", "write -z 2M 64k");
        return img;
    }

    static Path extendedL2(Path dir) {
        Path img = create(dir, "8M", "extended_l2=on,cluster_size=131072");
        Qemu.io(img, "write -P 1 4k 8k", "write -z 64k 8k", "write -P 3 1M 128k");
        return img;
    }

    static Path snapshots(Path dir) {
        Path img = create(dir, "8M");
        Qemu.io(img, "write -P 1 0 300k");
        Qemu.img("snapshot", "-c", "s1", img.toString());
        Qemu.io(img, "write -P 2 64k 64k");
        Qemu.img("snapshot", "-c", "s2", img.toString());
        Qemu.io(img, "write -P 3 0 64k");
        return img;
    }

    /** Three snapshots sharing one L2 table (no write between them); the active layer has its own copy. */
    static Path sharedL2(Path dir) {
        Path img = create(dir, "8M");
        Qemu.io(img, "write -P 1 0 300k");
        for (String name : List.of("s1", "s2", "s3")) {
            Qemu.img("snapshot", "-c", name, img.toString());
        }
        Qemu.io(img, "write -P 3 0 64k");
        return img;
    }

    /** The active L1 and two snapshots all reference the same L2 table. */
    static Path sharedL2WithActive(Path dir) {
        Path img = create(dir, "8M");
        Qemu.io(img, "write -P 1 0 300k");
        Qemu.img("snapshot", "-c", "s1", img.toString());
        Qemu.img("snapshot", "-c", "s2", img.toString());
        return img;
    }

    /** A data cluster mapped by an L2 table three snapshots share, with refcount 1 instead of 3. */
    static Path sharedL2RefcountTooLow(Path dir) throws IOException {
        return damaged(sharedL2(dir), d -> d.setRefcount(dataCluster(d, 2), 1));
    }

    /** Reserved bits in an entry of a table every L1 shares: each walk of it reports the entry. */
    static Path sharedL2ReservedBits(Path dir) throws IOException {
        return damaged(sharedL2WithActive(dir), d -> d.setL2Entry(0, 2, d.l2Entry(0, 2) | 0x2));
    }

    /**
     * The active L1 entry points at the snapshot table (the check fuzzer's find): once the
     * refcounts are rebuilt, a word of that "L2 table" (the first snapshot's VM clock, set to the
     * orphaned real L2 table) maps a cluster with refcount 1 and no COPIED flag, so -r all tries to
     * rewrite the snapshot table and must stop at the overlap check with EIO, as qemu-img does.
     */
    static Path l1IntoSnapshotTable(Path dir) throws IOException {
        return damaged(snapshots(dir), d -> {
            long snapshotTable = d.firstSnapshotEntry();
            long realL2 = d.l1Entry(0) & 0x00FFFFFFFFFFFE00L;
            d.setL1Entry(0, (1L << 63) | snapshotTable);
            d.writeLong(snapshotTable + 32, realL2);                    // vm_clock_nsec of snapshot 1
            d.setRefcount(snapshotTable >>> d.clusterBits, 0);          // forces the rebuild
        });
    }

    /** One change to an image's metadata, made through {@link ImageDamage}. */
    @FunctionalInterface
    interface Damage {
        void apply(ImageDamage d) throws IOException;
    }

    static Path damaged(Path img, Damage damage) throws IOException {
        try (ImageDamage d = new ImageDamage(img)) {
            damage.apply(d);
        }
        return img;
    }

    static Path compressed(Path dir, String clusterSize) throws IOException {
        Path raw = dir.resolve("src.raw");
        Random r = new Random(42);
        try (OutputStream out = Files.newOutputStream(raw)) {
            byte[] noise = new byte[1 << 20];
            r.nextBytes(noise);
            out.write(noise);
            out.write(new byte[1 << 20]);
            out.write("compressible text ".repeat(60000).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Path img = dir.resolve("img.qcow2");
        Qemu.img("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + clusterSize,
                raw.toString(), img.toString());
        Files.delete(raw);
        return img;
    }

    static Path bitmaps(Path dir) {
        Path img = create(dir, "8M");
        Qemu.img("bitmap", "--add", img.toString(), "b0");
        Qemu.io(img, "write -P 1 0 64k");
        Qemu.img("bitmap", "--add", "-g", "4k", img.toString(), "b1");
        return img;
    }

    /** A data cluster with refcount 3 and an unreferenced cluster with refcount 1. */
    static Path leaks(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setRefcount(dataCluster(d, 0), 3);
            long extra = d.appendClusters(2);
            d.setRefcount(extra + 1, 1);
        }
        return img;
    }

    /**
     * A file of more than {@link RefcountComparison#SPLIT_MIN_CLUSTERS} clusters (512-byte clusters,
     * 36 MiB of data) with a leak near its start and one near its end, so a read-only comparison runs
     * as two halves on two threads and each half reports one; lines and counts must be qemu-img's.
     */
    static Path leaksFarApart(Path dir) throws IOException {
        Path img = create(dir, "40M", "cluster_size=512");
        Qemu.io(img, "write -P 7 0 36M");
        try (ImageDamage d = new ImageDamage(img)) {
            int perL2 = 512 / 8;
            int late = 70000;
            d.setRefcount(dataCluster(d, 10), 2);
            long lateHost = (d.l2Entry(late / perL2, late % perL2) & 0x00FFFFFFFFFFFE00L) >>> d.clusterBits;
            d.setRefcount(lateHost, 3);
        }
        return img;
    }

    static Path leakOneBit(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=4096,refcount_bits=1");
        try (ImageDamage d = new ImageDamage(img)) {
            long extra = d.appendClusters(3);
            d.setRefcount(extra, 1);
            d.setRefcount(extra + 2, 1);
        }
        return img;
    }

    /** A used data cluster whose stored refcount is 0: needs a refcount rebuild. */
    static Path refcountZero(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setRefcount(dataCluster(d, 1), 0);
        }
        return img;
    }

    /** A cluster shared with a snapshot whose refcount says 1 instead of 2. */
    static Path refcountTooLow(Path dir) throws IOException {
        return damaged(snapshots(dir), d -> d.setRefcount(dataCluster(d, 2), 1));
    }

    static Path copiedCleared(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 1, d.l2Entry(0, 1) & ~(1L << 63));
            d.setL1Entry(0, d.l1Entry(0) & ~(1L << 63));
        }
        return img;
    }

    static Path copiedSetOnShared(Path dir) throws IOException {
        Path img = snapshots(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 3, d.l2Entry(0, 3) | (1L << 63));
        }
        return img;
    }

    static Path l2IntoReftable(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 1, (1L << 63) | d.reftableOffset);
        }
        return img;
    }

    static Path unalignedData(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 0, d.l2Entry(0, 0) | 0x200);
        }
        return img;
    }

    static Path unalignedZeroAlloc(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 2, d.l2Entry(0, 2) | 0x201);
        }
        return img;
    }

    static Path l1Reserved(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL1Entry(0, d.l1Entry(0) | (1L << 56));
        }
        return img;
    }

    /** Freed clusters in the middle, then a refcount 0: the rebuild places its structures in the hole. */
    static Path rebuildIntoHole(Path dir) throws IOException {
        Path img = create(dir, "8M");
        Qemu.io(img, "write -P 1 0 512k", "write -P 2 1M 256k", "discard 64k 192k");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setRefcount(dataCluster(d, 16), 0);
        }
        return img;
    }

    /** Refcount table entry 1 names a block past the end of the file. */
    static Path refblockOutside(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            long past = d.appendClusters(0) + 8;
            d.writeLong(d.reftableOffset + 8, past << d.clusterBits);
        }
        return img;
    }

    static Path l2IntoRefblock(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            long refblock = d.readLong(d.reftableOffset);
            d.setL2Entry(0, 1, (1L << 63) | refblock);
        }
        return img;
    }

    static Path reftableReserved(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.writeLong(d.reftableOffset, d.readLong(d.reftableOffset) | 1);
        }
        return img;
    }

    static Path refblockUnaligned(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            long last = d.appendClusters(0) - 1;
            d.writeLong(d.reftableOffset + 8, (last << d.clusterBits) | 0x200);
        }
        return img;
    }

    /** Subcluster 1 both allocated and reading as zero. */
    static Path extL2AllocAndZero(Path dir) throws IOException {
        Path img = extendedL2(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Bitmap(0, 0, d.l2Bitmap(0, 0) | 2 | (1L << 33));
        }
        return img;
    }

    static Path extL2AllocUnallocated(Path dir) throws IOException {
        Path img = extendedL2(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Bitmap(0, 5, 3);
        }
        return img;
    }

    static Path extL2Unaligned(Path dir) throws IOException {
        Path img = extendedL2(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 0, d.l2Entry(0, 0) | 0x200);
        }
        return img;
    }

    static Path snapshotL1Unaligned(Path dir) throws IOException {
        Path img = snapshots(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            long e = d.firstSnapshotEntry();
            d.writeLong(e, d.readLong(e) | 0x200);
        }
        return img;
    }

    static Path snapshotL1TooLarge(Path dir) throws IOException {
        Path img = snapshots(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.writeInt(d.firstSnapshotEntry() + 8, 0x1000000);
        }
        return img;
    }

    static Path snapshotL1Reserved(Path dir) throws IOException {
        Path img = snapshots(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            long l1 = d.readLong(d.firstSnapshotEntry());
            d.writeLong(l1, d.readLong(l1) | (1L << 57));
        }
        return img;
    }

    /** The first snapshot entry cut to 8 bytes of extra data (v3 needs 16); the table is rewritten in place. */
    static Path snapshotEntryIncomplete(Path dir) throws IOException {
        return resizeSecondExtra(snapshots(dir), 0, 8);
    }

    /** The second snapshot entry grown to 1304 bytes of extra data (QEMU allows 1024). */
    static Path snapshotExtraTooLarge(Path dir) throws IOException {
        return resizeSecondExtra(snapshots(dir), 1, 1304);
    }

    /** Rewrites the snapshot table in place with entry {@code which} holding {@code size} bytes of extra data. */
    private static Path resizeSecondExtra(Path img, int which, int size) throws IOException {
        try (ImageDamage d = new ImageDamage(img)) {
            long off = d.firstSnapshotEntry();
            int n = d.readInt(60);
            ByteBuffer old = ByteBuffer.wrap(d.readBytes(off, (int) d.clusterSize()));
            ByteBuffer out = ByteBuffer.allocate(old.capacity());
            int pos = 0;
            for (int i = 0; i < n; i++) {
                int idName = (old.getShort(pos + 12) & 0xFFFF) + (old.getShort(pos + 14) & 0xFFFF);
                int extra = old.getInt(pos + 36);
                int keep = i == which ? size : extra;
                int start = out.position();
                out.put(old.array(), pos, 40);
                out.putInt(start + 36, keep);
                for (int k = 0; k < keep; k++) {
                    out.put(k < extra ? old.get(pos + 40 + k) : (byte) k);
                }
                out.put(old.array(), pos + 40 + extra, idName);
                out.position((out.position() + 7) & ~7);
                pos = (pos + 40 + extra + idName + 7) & ~7;
            }
            d.writeBytes(off, out.array());
        }
        return img;
    }

    /** Bitmaps extension present but its autoclear bit cleared, as a bitmap-unaware writer leaves it. */
    static Path staleBitmaps(Path dir) throws IOException {
        Path img = bitmaps(dir);
        try (ImageDamage d = new ImageDamage(img)) {
            d.writeLong(88, d.readLong(88) & ~1L);
        }
        return img;
    }

    static Path unknownAutoclear(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.writeLong(88, d.readLong(88) | (1L << 20));
        }
        return img;
    }

    static Path compressedCopied(Path dir) throws IOException {
        Path img = compressed(dir, "65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setL2Entry(0, 40, d.l2Entry(0, 40) | (1L << 63));
        }
        return img;
    }

    static Path corruptBit(Path dir) throws IOException {
        Path img = written(dir, "cluster_size=65536");
        try (ImageDamage d = new ImageDamage(img)) {
            d.setIncompatibleBits(1L << 1);
        }
        return img;
    }

    /** qemu-io writes with lazy refcounts and aborts: dirty bit set, data refcounts never written. */
    static Path dirty(Path dir, String opts) {
        Path img = create(dir, "8M", opts);
        Qemu.run("qemu-io", "-f", "qcow2", "-c", "write -P 7 0 200k", "-c", "abort", img.toString());
        return img;
    }

    /** Host cluster of the data behind L2 entry {@code index} of the first L2 table. */
    static long dataCluster(ImageDamage d, int index) throws IOException {
        long off = d.l2Entry(0, index) & 0x00FFFFFFFFFFFE00L;
        if (off == 0) {
            throw new IllegalStateException("entry " + index + " is not allocated");
        }
        return off >>> d.clusterBits;
    }
}
