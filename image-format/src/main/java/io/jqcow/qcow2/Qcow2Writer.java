package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestFlags;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest writes. Each step handles a run of clusters: either an in-place write into clusters we own
 * (COPIED), or an allocation of new host clusters that are filled (COW padding from the old content,
 * or one write-zeroes when that padding is all zero) and then linked into L2. Allocations of the same
 * guest cluster are serialised through {@link InflightAllocations}; data I/O runs without the lock.
 */
final class Qcow2Writer {
    /** Looked up when something is logged, which is rare: starting the logging back end costs ~30 ms. */
    private static Logger log() {
        return LoggerFactory.getLogger(Qcow2Writer.class);
    }
    private final Qcow2State s;
    private final Geometry g;
    private final ClusterMapper mapper;
    private final Qcow2Reader reader;
    private final L2Tables tables;
    private final ZeroAndDiscard zeroes;

    Qcow2Writer(Qcow2State s, ClusterMapper mapper, Qcow2Reader reader) {
        this.s = s;
        this.g = s.geometry();
        this.mapper = mapper;
        this.reader = reader;
        this.tables = new L2Tables(s);
        this.zeroes = new ZeroAndDiscard(s, mapper, tables, this);
    }

    void write(long offset, IoVector data) throws BlockException {
        long pos = 0;
        while (pos < data.size()) {
            pos += step(offset + pos, data.slice(pos, data.size() - pos));
        }
    }

    void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        zeroes.writeZeroes(offset, bytes, flags);
    }

    void discard(long offset, long bytes) throws BlockException {
        zeroes.discard(offset, bytes);
    }

    void writeCompressed(long offset, IoVector data) throws BlockException {
        new CompressedWriter(s, mapper, tables, this).write(offset, data);
    }

    void truncate(long length, PreallocMode prealloc) throws BlockException {
        new Resizer(s, tables, zeroes, this).resize(length, prealloc);
    }

    /** Plan of one allocating step. */
    private record Alloc(long guestStart, int clusters, long host, boolean fresh, L2Entry[] old,
                         long headFrom, long tailTo) {
    }

    private long step(long guest, IoVector data) throws BlockException {
        Alloc plan;
        s.lock.lock();
        try {
            while (true) {
                s.checkUsable();
                long cluster = guest >>> g.clusterBits();
                if (s.inflight.busy(cluster)) {
                    s.allocationDone.awaitUninterruptibly();
                    continue;
                }
                tables.ensureWritable(guest);
                L2Entry e = mapper.entry(guest);
                mapper.checkForWrite(e, guest);
                long inCluster = guest & g.clusterMask();
                long span = Math.min(data.size(), g.clusterSize() - inCluster);
                if (canWriteInPlace(e, inCluster, span)) {
                    return writeInPlace(guest, data, e);
                }
                plan = planAllocation(guest, data.size(), e);
                s.inflight.claim(cluster, plan.clusters);
                break;
            }
        } finally {
            s.lock.unlock();
        }
        return fillAndLink(plan, guest, data);
    }

    private boolean canWriteInPlace(L2Entry e, long inCluster, long span) {
        if (e.isCompressed() || !e.isCopied() || e.clusterType(g) != L2Entry.Type.NORMAL) {
            return false;
        }
        if (!g.extendedL2()) {
            return true;
        }
        int sc = g.subclusterSize();
        long end = inCluster + span;
        boolean headOk = inCluster % sc == 0 || e.subclusterType(g, (int) (inCluster / sc)) == L2Entry.Type.NORMAL;
        boolean tailOk = end % sc == 0 || e.subclusterType(g, (int) (end / sc)) == L2Entry.Type.NORMAL;
        return headOk && tailOk;
    }

    /** Writes into owned clusters (lock held on entry, released for the data I/O). */
    private long writeInPlace(long guest, IoVector data, L2Entry first) throws BlockException {
        long inCluster = guest & g.clusterMask();
        long host = first.hostOffset() + inCluster;
        long len = Math.min(data.size(), g.clusterSize() - inCluster);
        // Extend over following clusters that are also owned and host-contiguous.
        while (len < data.size() && !g.extendedL2()) {
            long next = guest + len;
            if ((next & (g.l2Coverage() - 1)) == 0 || s.inflight.busy(next >>> g.clusterBits())) {
                break;
            }
            L2Entry e = mapper.entry(next);
            if (e.clusterType(g) != L2Entry.Type.NORMAL || !e.isCopied() || e.hostOffset() != host + len) {
                break;
            }
            len += Math.min(data.size() - len, g.clusterSize());
        }
        if (s.dataFile == null) {
            s.overlap().check(host, len, 0);
        }
        long bits = g.extendedL2() ? subclusterBits(inCluster, inCluster + len) : 0;
        // Filling subclusters that were not allocated changes the bitmap: that is an allocation, and
        // must not interleave with another allocation of the same cluster.
        boolean allocating = g.extendedL2() && (first.bitmap() & bits) != bits;
        long cluster = guest >>> g.clusterBits();
        if (allocating) {
            s.inflight.claim(cluster, 1);
        }
        s.hostIoInFlight.incrementAndGet();
        s.lock.unlock();
        try {
            s.dataNode().write(host, data.slice(0, len), 0);
        } finally {
            s.hostIoInFlight.decrementAndGet();
            s.lock.lock();
            if (allocating) {
                s.inflight.release(cluster, 1);
                s.allocationDone.signalAll();
            }
        }
        if (allocating) {
            L2Entry now = mapper.entry(guest);
            mapper.setEntry(guest, new L2Entry(now.word(), (now.bitmap() | bits) & ~(bits << 32)));
        }
        return len;
    }

    /** Alloc bits of the subclusters touched by [from, to) within a cluster. */
    long subclusterBits(long from, long to) {
        int sc = g.subclusterSize();
        int a = (int) (from / sc);
        int b = (int) ((to + sc - 1) / sc);
        return b - a >= 32 ? 0xFFFFFFFFL : ((1L << (b - a)) - 1) << a;
    }

    private Alloc planAllocation(long guest, long bytes, L2Entry first) throws BlockException {
        long inCluster = guest & g.clusterMask();
        L2Entry.Type t = first.clusterType(g);
        boolean reuse = first.isCopied() && !first.isCompressed()
                && (t == L2Entry.Type.ZERO_ALLOC || t == L2Entry.Type.NORMAL);
        int maxRun = (int) Math.min(Math.min(1024, (1L << g.refblockBits()) / 2),
                (g.l2Coverage() - (guest & (g.l2Coverage() - 1)) + g.clusterMask()) >>> g.clusterBits());
        int n = 1;
        if (!reuse) {
            long end = guest + bytes;
            while (n < maxRun) {
                long next = ((guest >>> g.clusterBits()) + n) << g.clusterBits();
                if (next >= end || s.inflight.busy(next >>> g.clusterBits())) {
                    break;
                }
                L2Entry e = mapper.entry(next);
                if (e.isCopied()) {
                    break;
                }
                mapper.checkForWrite(e, next);
                n++;
            }
        }
        L2Entry[] old = new L2Entry[n];
        old[0] = first;
        for (int i = 1; i < n; i++) {
            old[i] = mapper.entry(guest + ((long) i << g.clusterBits()) - inCluster);
        }
        long host;
        boolean fresh;
        if (reuse) {
            host = first.hostOffset();
            fresh = false;
        } else if (s.dataFile != null) {
            host = guest - inCluster;
            fresh = true;
        } else {
            host = s.allocator().allocate(n);
            fresh = true;
        }
        long clusterStart = guest - inCluster;
        long endInLast = Math.min(guest + bytes, clusterStart + ((long) n << g.clusterBits()));
        long headFrom = clusterStart;
        long tailTo = clusterStart + ((long) n << g.clusterBits());
        boolean wholeCopy = first.isCompressed() || (t == L2Entry.Type.NORMAL && !first.isCopied());
        if (g.extendedL2() && !wholeCopy) {
            int sc = g.subclusterSize();
            headFrom = clusterStart + inCluster / sc * sc;
            long lastStart = tailTo - g.clusterSize();
            L2Entry lastOld = old[n - 1];
            boolean lastWhole = lastOld.isCompressed()
                    || (lastOld.clusterType(g) == L2Entry.Type.NORMAL && !lastOld.isCopied());
            if (!lastWhole) {
                tailTo = lastStart + ((endInLast - lastStart) + sc - 1) / sc * sc;
            }
        }
        return new Alloc(clusterStart, n, host, fresh, old, headFrom, tailTo);
    }

    /** Fills the planned clusters and links them (runs without the lock until linking). */
    private long fillAndLink(Alloc p, long guest, IoVector data) throws BlockException {
        long runBytes = (long) p.clusters << g.clusterBits();
        long dataEnd = Math.min(guest + data.size(), p.guestStart + runBytes);
        long len = dataEnd - guest;
        long lastStart = p.guestStart + runBytes - g.clusterSize();
        try {
            boolean zeroed = false;
            L2Entry lastOld = p.old[p.clusters - 1];
            if (p.fresh && s.dataFile == null && (p.headFrom < guest || dataEnd < p.tailTo)
                    && allocZeroAllowed()
                    && AllocZeroDecision.readsZero(g, p.old[0], p.headFrom, guest, s.backing)
                    && AllocZeroDecision.readsZero(g, lastOld, dataEnd, p.tailTo, s.backing)) {
                zeroed = tryZeroAlloc(p.host, runBytes);
            }
            long hostFrom = p.host + (p.headFrom - p.guestStart);
            IoVector head = IoVector.of(ByteBuffer.allocate(0));
            IoVector tail = IoVector.of(ByteBuffer.allocate(0));
            if (!zeroed) {
                head = readOld(p.old[0], p.headFrom, guest - p.headFrom);
                tail = readOld(lastOld, dataEnd, p.tailTo - dataEnd);
            } else {
                hostFrom = p.host + (guest - p.guestStart);
            }
            IoVector all = head.concat(data.slice(0, len)).concat(tail);
            if (s.dataFile == null) {
                s.lock.lock();
                try {
                    s.overlap().check(hostFrom, all.size(), 0);
                } finally {
                    s.lock.unlock();
                }
            }
            s.dataNode().write(hostFrom, all, 0);
            link(p, guest, dataEnd, lastStart);
        } catch (BlockException | RuntimeException e) {
            s.lock.lock();
            try {
                if (p.fresh && s.dataFile == null) {
                    s.allocator().addRefs(p.host, runBytes, -1);
                }
            } catch (BlockException ignored) {
                // the original failure is what matters
            } finally {
                s.inflight.release(p.guestStart >>> g.clusterBits(), p.clusters);
                s.allocationDone.signalAll();
                s.lock.unlock();
            }
            throw e;
        }
        return len;
    }

    private boolean allocZeroAllowed() {
        String opt = s.options.allocZeroWrites();
        if (opt.equals("off")) {
            return false;
        }
        return opt.equals("on") || s.file.driver() == null || s.file.driver().allocZeroWritesAllowed();
    }

    private boolean tryZeroAlloc(long host, long bytes) throws BlockException {
        try {
            s.file.writeZeroes(host, bytes, RequestFlags.NO_FALLBACK | RequestFlags.ALLOC_ZERO);
            return true;
        } catch (BlockException e) {
            if (e.errno() == Errno.ENOTSUP) {
                return false;
            }
            throw e;
        }
    }

    /** The old content of guest range [from, from + len) of a cluster whose entry was e. */
    IoVector readOld(L2Entry e, long from, long len) throws BlockException {
        ByteBuffer buf = ByteBuffer.allocate((int) len);
        IoVector v = IoVector.of(buf);
        long unit = g.subclusterSize();
        byte[] decompressed = null;
        for (long p = from; p < from + len; ) {
            long end = Math.min(from + len, (p | (unit - 1)) + 1);
            IoVector part = v.slice(p - from, end - p);
            L2Entry.Type t = e.subclusterType(g, (int) ((p & g.clusterMask()) / unit));
            switch (t) {
                case NORMAL -> s.dataNode().read(e.hostOffset() + (p & g.clusterMask()), part, 0);
                case COMPRESSED -> {
                    if (decompressed == null) {
                        decompressed = reader.decompress(e);
                    }
                    part.copyFrom(0, ByteBuffer.wrap(decompressed, (int) (p & g.clusterMask()), (int) (end - p)));
                }
                case UNALLOCATED_PLAIN, UNALLOCATED_ALLOC -> Qcow2Reader.readBacking(s.backing, p, part);
                default -> part.zeroAll();
            }
            p = end;
        }
        return v;
    }

    private void link(Alloc p, long guest, long dataEnd, long lastStart) throws BlockException {
        s.lock.lock();
        try {
            boolean droppedRefs = false;
            if (p.fresh && s.dataFile == null) {
                s.refcountsBeforeL2(p.host + ((long) p.clusters << g.clusterBits()));
            }
            for (int i = 0; i < p.clusters; i++) {
                long cStart = p.guestStart + ((long) i << g.clusterBits());
                long host = p.host + ((long) i << g.clusterBits());
                L2Entry old = p.old[i];
                long bitmap = 0;
                if (g.extendedL2()) {
                    long from = Math.max(cStart, i == 0 ? p.headFrom : cStart) - cStart;
                    long to = Math.min(cStart + g.clusterSize(), i == p.clusters - 1 ? p.tailTo : cStart + g.clusterSize())
                            - cStart;
                    long bits = subclusterBits(from, to);
                    boolean whole = old.isCompressed()
                            || (old.clusterType(g) == L2Entry.Type.NORMAL && !old.isCopied());
                    long keep = whole ? 0 : old.bitmap();
                    bitmap = ((keep & 0xFFFFFFFFL) | bits) | ((keep >>> 32) & ~bits) << 32;
                    if (whole) {
                        bitmap = 0xFFFFFFFFL;
                    }
                }
                mapper.setEntry(cStart, new L2Entry(host | L2Entry.COPIED, bitmap));
                if (p.fresh && s.dataFile == null) {
                    droppedRefs |= dropOldReference(old);
                }
            }
            if (droppedRefs) {
                s.refcounts().cache().dependOn(s.l2Cache());
            }
        } finally {
            s.inflight.release(p.guestStart >>> g.clusterBits(), p.clusters);
            s.allocationDone.signalAll();
            s.lock.unlock();
        }
    }

    /** After an entry stopped pointing at its old host space: drops that reference (lock held). */
    boolean dropOldReference(L2Entry old) throws BlockException {
        if (s.dataFile != null) {
            return false;
        }
        if (old.isCompressed()) {
            s.refcounts().cache().dependOn(s.l2Cache());
            freeOrLeak(old.compressedOffset(g), old.compressedSize(g));
            reader.forgetDecoded();
            return true;
        }
        L2Entry.Type t = old.clusterType(g);
        if ((t == L2Entry.Type.NORMAL || t == L2Entry.Type.ZERO_ALLOC) && old.hostOffset() != 0) {
            s.refcounts().cache().dependOn(s.l2Cache());
            freeOrLeak(old.hostOffset(), g.clusterSize());
            return true;
        }
        return false;
    }

    /**
     * The entry no longer references the space, so the guest operation has succeeded; a refcount
     * that cannot be lowered (malformed offset, underflow) only leaks, as with QEMU.
     */
    private void freeOrLeak(long offset, long length) throws BlockException {
        try {
            s.allocator().addRefs(offset, length, -1);
        } catch (BlockException e) {
            if (e.errno() != Errno.EIO && e.errno() != Errno.EFBIG) {
                throw e;
            }
            log().warn("qcow2: freeing 0x{}+{} failed ({}); the space leaks", Long.toHexString(offset), length,
                    e.getMessage());
        }
    }
}
