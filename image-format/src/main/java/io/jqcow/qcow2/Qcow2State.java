package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an open qcow2 image knows: children, header, L1, caches, allocator. One metadata lock
 * guards all of it (held only for metadata work, never during guest data I/O), like QEMU's s->lock.
 */
final class Qcow2State {
    /** Looked up when something is logged, which is rare: starting the logging back end costs ~30 ms. */
    private static Logger log() {
        return LoggerFactory.getLogger(Qcow2State.class);
    }

    final BlockNode file;
    final BlockNode dataFile;
    final BlockNode backing;
    final Qcow2Options options;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever an in-flight allocation completes. */
    final Condition allocationDone = lock.newCondition();
    final InflightAllocations inflight = new InflightAllocations();
    /**
     * Guest reads and in-place writes whose host cluster was looked up but whose I/O is still
     * running. Freed clusters stay quarantined while any are, so their old owner's I/O can never
     * land on (or read from) a cluster that was handed to someone else.
     */
    final java.util.concurrent.atomic.AtomicInteger hostIoInFlight = new java.util.concurrent.atomic.AtomicInteger();

    private volatile Qcow2Header header;
    private volatile HeaderExtensions ext;
    private volatile String backingName;
    private final Geometry g;
    private long[] l1;
    private MetadataCache l2Cache;
    private RefcountStore refcounts;
    private ClusterAllocator allocator;
    private OverlapChecker overlap;
    private SnapshotTable snapshots;
    private final boolean readOnly;
    private volatile String stoppedBecauseCorrupt;
    private long lastClean = System.nanoTime();
    private final java.util.List<long[]> pendingDiscards = new java.util.ArrayList<>();

    Qcow2State(BlockNode file, BlockNode dataFile, BlockNode backing, Qcow2Options options, Qcow2Header header,
               HeaderExtensions ext, String backingName, boolean readOnly) {
        this.file = file;
        this.dataFile = dataFile;
        this.backing = backing;
        this.options = options;
        this.header = header;
        this.ext = ext;
        this.backingName = backingName;
        this.g = Geometry.of(header);
        this.readOnly = readOnly;
    }

    void init(long[] l1Table, SnapshotTable snaps, long[] reftable) throws BlockException {
        this.durableEnd = file.length();
        this.l1 = l1Table;
        this.snapshots = snaps;
        this.overlap = new OverlapChecker(this, options.overlapMask());
        int slice = options.l2CacheEntrySize() > 0 ? options.l2CacheEntrySize() : g.clusterSize();
        if (Integer.bitCount(slice) != 1 || slice < 512 || slice > g.clusterSize()) {
            throw new BlockException(Errno.EINVAL, "L2 cache entry size must be a power of two between 512 and "
                    + "the cluster size (" + g.clusterSize() + ")");
        }
        long l2Bytes = options.l2CacheSize();
        if (l2Bytes < 0) {
            long needed = (header.size() + g.clusterSize() - 1) / g.clusterSize() * g.l2EntrySize();
            l2Bytes = Math.min(Qcow2Options.DEFAULT_L2_CACHE_MAX, Math.max(needed, 2L * g.clusterSize()));
        }
        long rcBytes = options.refcountCacheSize() < 0 ? 4L * g.clusterSize() : options.refcountCacheSize();
        this.l2Cache = new MetadataCache(file, slice, (int) Math.min(1 << 20, l2Bytes / slice),
                (off, data) -> writeMetadata(off, data, OverlapChecker.ACTIVE_L2));
        MetadataCache rcCache = new MetadataCache(file, g.clusterSize(),
                (int) Math.max(4, Math.min(1 << 16, rcBytes / g.clusterSize())),
                (off, data) -> writeMetadata(off, data, OverlapChecker.REFCOUNT_BLOCK));
        this.refcounts = new RefcountStore(file, g, rcCache, header.refcountTableOffset(), reftable);
        this.allocator = new ClusterAllocator(file, g, refcounts, file.length(), this::switchRefcountTable);
        if (options.passDiscard()) {
            // Discarding in the file waits until the metadata that freed the cluster is durable:
            // before that, a crash could bring back an old reference to the discarded cluster.
            allocator.setFreeListener((off, len) -> {
                if (options.discardUnmap()) {
                    pendingDiscards.add(new long[] {off, len});
                }
            });
        }
    }

    Geometry geometry() {
        return g;
    }

    Qcow2Header header() {
        return header;
    }

    HeaderExtensions extensions() {
        return ext;
    }

    String backingName() {
        return backingName;
    }

    long[] l1() {
        return l1;
    }

    MetadataCache l2Cache() {
        return l2Cache;
    }

    RefcountStore refcounts() {
        return refcounts;
    }

    ClusterAllocator allocator() {
        return allocator;
    }

    OverlapChecker overlap() {
        return overlap;
    }

    SnapshotTable snapshots() {
        return snapshots;
    }

    /** After the header points at a new snapshot table. */
    void replaceSnapshots(SnapshotTable t, long offset) {
        snapshots = t;
        header = header.withSnapshots(t.entries().size(), offset);
        overlap = new OverlapChecker(this, options.overlapMask());
    }

    boolean readOnly() {
        return readOnly;
    }

    /** The node guest data clusters live in. */
    BlockNode dataNode() {
        return dataFile != null ? dataFile : file;
    }

    /** Fails when an earlier corruption stopped the image. */
    void checkUsable() throws BlockException {
        String why = stoppedBecauseCorrupt;
        if (why != null) {
            throw new BlockException(Errno.EIO, -1, "qcow2 image stopped after corruption: " + why);
        }
    }

    boolean checkUsableQuietly() {
        return stoppedBecauseCorrupt == null;
    }

    /** Writes a metadata piece after the overlap check (ignoring the kind being written). */
    void writeMetadata(long offset, ByteBuffer data, int kind) throws BlockException {
        overlap.check(offset, data.remaining(), kind);
        file.write(offset, data);
    }

    /** Records a detected corruption: logged; when writable, the corrupt bit set (v3) and further I/O refused. */
    void markCorrupt(String why) {
        if (readOnly) {
            // Nothing can get worse through a read-only image: report and keep serving (as QEMU does).
            log().error("qcow2: Image is corrupt: {}", why);
            return;
        }
        log().error("qcow2: Marking image as corrupt: {}; further corruption events will be suppressed", why);
        if (stoppedBecauseCorrupt != null) {
            return;
        }
        stoppedBecauseCorrupt = why;
        if (!readOnly && header.version() >= 3) {
            header = header.withIncompatible(header.incompatibleFeatures() | Qcow2Header.INCOMPAT_CORRUPT);
            try {
                file.write(72, ByteBuffer.allocate(8).putLong(0, header.incompatibleFeatures()));
                file.flush();
            } catch (BlockException e) {
                log().error("qcow2: could not set the corrupt bit: {}", e.getMessage());
            }
        }
    }

    /** A corruption found while mapping: mark and return the exception to throw. */
    BlockException corruption(long offset, String what) {
        markCorrupt(what);
        return new BlockException(Errno.EIO, offset, what);
    }

    /** Bumped whenever the active L1 changes (lets the overlap checker cache L2 offsets). */
    private volatile int l1Version;

    int l1Version() {
        return l1Version;
    }

    void setL1Entry(int index, long value) throws BlockException {
        long off = header.l1TableOffset() + 8L * index;
        ByteBuffer b = ByteBuffer.allocate(8).putLong(0, value);
        writeMetadata(off, b, OverlapChecker.ACTIVE_L1);
        l1[index] = value;
        l1Version++;
    }

    void replaceL1(long[] table, long offset) {
        l1 = table;
        l1Version++;
        header = header.withL1(offset, table.length);
    }

    /** Points the image at another backing file (qemu-img rebase/commit); null removes it. */
    void changeBackingFile(String name, String format) throws BlockException {
        String oldName = backingName;
        backingName = name;
        try {
            rewriteHeader(header, ext.withBackingFormat(name == null ? null : format));
        } catch (BlockException e) {
            backingName = oldName;
            throw e;
        }
    }

    /** Rewrites cluster 0 (header, extensions, backing name) and flushes. */
    void rewriteHeader(Qcow2Header h, HeaderExtensions e) throws BlockException {
        HeaderCodec.Encoded enc = HeaderCodec.encode(h, e, backingName);
        file.write(0, enc.cluster());
        file.flush();
        header = enc.header();
        ext = e;
    }

    void writeHeaderLong(int fieldOffset, long value) throws BlockException {
        file.write(fieldOffset, ByteBuffer.allocate(8).putLong(0, value));
    }

    void setSize(long size) throws BlockException {
        writeHeaderLong(24, size);
        file.flush();
        header = header.withSize(size);
    }

    private void switchRefcountTable(long offset, int clusters) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(12).putLong(0, offset).putInt(8, clusters);
        file.write(48, b);
        file.flush();
        header = header.withRefcountTable(offset, clusters);
    }

    /** Lazy refcounts in use: the dirty bit is set and refcount updates need not precede L2 updates. */
    private boolean lazyDirty;
    /** File length covered by the last metadata flush (see {@link #dataBeforeL2}). */
    private long durableEnd;

    private boolean lazyRefcounts() {
        boolean imageAllows = (header.compatibleFeatures() & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0;
        return header.version() >= 3 && (options.lazyRefcounts() == null ? imageAllows : options.lazyRefcounts());
    }

    /**
     * Before an L2 entry may reference newly counted clusters: either the refcounts go first
     * (ordered mode), or, with lazy refcounts, the image is marked dirty once so a crash leads to a
     * refcount rebuild instead.
     */
    void refcountsBeforeL2(long hostEnd) throws BlockException {
        if (!lazyRefcounts()) {
            l2Cache.dependOn(refcounts.cache());
            dataBeforeL2(hostEnd);
            return;
        }
        if (!lazyDirty) {
            refcounts.cache().writeDirty();
            file.write(72, ByteBuffer.allocate(8).putLong(0, header.incompatibleFeatures() | Qcow2Header.INCOMPAT_DIRTY));
            file.flush();
            header = header.withIncompatible(header.incompatibleFeatures() | Qcow2Header.INCOMPAT_DIRTY);
            lazyDirty = true;
        }
        dataBeforeL2(hostEnd);
    }

    /**
     * The new clusters' data writes (ending at hostEnd) have completed. Where they lie past the file
     * end known durable, they must be flushed before an entry points at them: else a crash may leave
     * an entry past the end of the file, which no repair fixes (and a rebuild would hand the cluster
     * out twice). In ordered mode the refcount flush before the L2 write usually covers it.
     */
    private void dataBeforeL2(long hostEnd) {
        if (hostEnd > durableEnd) {
            l2Cache.flushFileBeforeWriting();
        }
    }

    /** The file was truncated to length (not yet durable): only the shorter of both ends is sure. */
    void fileTruncated(long length) {
        durableEnd = Math.min(durableEnd, length);
    }

    /** Clean close with lazy refcounts: everything durable, then the dirty bit cleared. */
    void markClean() throws BlockException {
        if (!lazyDirty) {
            return;
        }
        flushMetadata();
        header = header.withIncompatible(header.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_DIRTY);
        file.write(72, ByteBuffer.allocate(8).putLong(0, header.incompatibleFeatures()));
        file.flush();
        lazyDirty = false;
    }

    /** Writes all dirty metadata in dependency order and flushes; freed clusters then become reusable. */
    void flushMetadata() throws BlockException {
        l2Cache.writeDirty();
        refcounts.cache().writeDirty();
        l2Cache.writeDirty();
        long end = file.length(); // taken before the flush: only writes completed by now are covered
        file.flush();
        durableEnd = end;
        l2Cache.markFlushed();
        refcounts.cache().markFlushed();
        if (hostIoInFlight.get() == 0) {
            for (long[] d : pendingDiscards) {
                file.discard(d[0], d[1]);
            }
            pendingDiscards.clear();
            allocator.releaseQuarantine();
        }
    }

    /** Drops clean cache entries unused for cache-clean-interval (checked lazily, no timer thread). */
    void maybeCleanCaches() {
        long interval = options.cacheCleanInterval();
        if (interval <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastClean >= interval * 1_000_000_000L) {
            l2Cache.dropUnusedSince(lastClean);
            refcounts.cache().dropUnusedSince(lastClean);
            lastClean = now;
        }
    }
}
