package io.jqcow.block;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A growable, sparse in-memory disk for embedders and tests. It keeps whole grains
 * (max(requestAlignment, 4096) bytes) and remembers for each whether it holds data, was zeroed, or
 * is a hole (never written, discarded, or zeroed with MAY_UNMAP); block status reports data grains
 * as data and the rest as zero. Preallocation modes are accepted and ignored: memory stays sparse.
 *
 * <p>It is strict on purpose: a request that breaks the driver contract (misaligned to
 * requestAlignment, longer than maxTransfer, a read starting at or past EOF) throws
 * IllegalStateException, so request-layer bugs fail tests loudly.
 */
public final class MemoryDriver implements BlockDriver {
    /** What a grain currently holds. */
    public enum GrainState { HOLE, DATA, ZERO }

    private final String name;
    private final Limits limits;
    private final boolean writeZeroesSupported;
    private final boolean readOnly;
    private final int grain;
    private final TreeMap<Long, byte[]> data = new TreeMap<>();
    private final TreeSet<Long> zeroed = new TreeSet<>();
    private long length;

    public MemoryDriver(String name, long size, Limits limits, boolean writeZeroesSupported, boolean readOnly) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.name = name;
        this.limits = limits;
        this.writeZeroesSupported = writeZeroesSupported;
        this.readOnly = readOnly;
        this.grain = Math.max(limits.requestAlignment(), 4096);
        this.length = size;
    }

    public MemoryDriver(long size, Limits limits) {
        this("memory", size, limits, true, false);
    }

    /** A request-layer node over a new writable memory disk. */
    public static RequestLayer node(long size, Limits limits, RequestThreads threads) throws BlockException {
        return new RequestLayer(new MemoryDriver(size, limits), threads);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String formatName() {
        return "memory";
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public synchronized long length() {
        return length;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    /** The state of the grain holding offset. */
    public synchronized GrainState grainStateAt(long offset) {
        long g = offset / grain;
        return data.containsKey(g) ? GrainState.DATA : zeroed.contains(g) ? GrainState.ZERO : GrainState.HOLE;
    }

    /** Grain size in bytes (the block status granularity). */
    public int grainSize() {
        return grain;
    }

    private void checkRequest(String op, long offset, long bytes) {
        int align = limits.requestAlignment();
        if (offset < 0 || offset % align != 0 || bytes % align != 0) {
            throw new IllegalStateException(op + " " + offset + "+" + bytes + " misaligned to " + align);
        }
        if (limits.maxTransfer() > 0 && bytes > limits.maxTransfer() && !op.equals("discard")
                && !op.equals("write-zeroes")) {
            throw new IllegalStateException(op + " of " + bytes + " exceeds maxTransfer " + limits.maxTransfer());
        }
    }

    private void checkWritable(long offset) throws BlockException {
        if (readOnly) {
            throw new BlockException(Errno.EROFS, offset, "memory disk '" + name + "' is read-only");
        }
    }

    @Override
    public synchronized void read(RequestContext ctx, long offset, IoVector qiov, int flags) {
        checkRequest("read", offset, qiov.size());
        if (offset >= length) {
            throw new IllegalStateException("read at " + offset + " starts at or past EOF " + length);
        }
        long pos = 0;
        long size = qiov.size();
        while (pos < size) {
            long at = offset + pos;
            long g = at / grain;
            int within = (int) (at % grain);
            int n = (int) Math.min(grain - within, size - pos);
            byte[] bytes = data.get(g);
            long valid = Math.max(0, Math.min(n, length - at)); // bytes past EOF read as zeroes
            if (bytes == null || valid == 0) {
                qiov.zero(pos, n);
            } else {
                qiov.copyFrom(pos, ByteBuffer.wrap(bytes, within, (int) valid));
                if (valid < n) {
                    qiov.zero(pos + valid, n - valid);
                }
            }
            pos += n;
        }
    }

    @Override
    public synchronized void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        checkRequest("write", offset, qiov.size());
        checkWritable(offset);
        long pos = 0;
        long size = qiov.size();
        while (pos < size) {
            long at = offset + pos;
            long g = at / grain;
            int within = (int) (at % grain);
            int n = (int) Math.min(grain - within, size - pos);
            byte[] bytes = data.computeIfAbsent(g, k -> new byte[grain]);
            zeroed.remove(g);
            qiov.copyTo(pos, ByteBuffer.wrap(bytes, within, n));
            pos += n;
        }
        length = Math.max(length, offset + size);
    }

    @Override
    public synchronized void writeZeroes(RequestContext ctx, long offset, long bytes, int flags)
            throws BlockException {
        checkRequest("write-zeroes", offset, bytes);
        checkWritable(offset);
        if (!writeZeroesSupported) {
            throw BlockException.enotsup(offset, "memory disk '" + name + "' has write-zeroes switched off");
        }
        boolean unmap = RequestFlags.has(flags, RequestFlags.MAY_UNMAP);
        forEachGrain(offset, bytes, (g, within, n) -> {
            if (n == grain) {
                data.remove(g);
                if (unmap) {
                    zeroed.remove(g);
                } else {
                    zeroed.add(g);
                }
            } else {
                byte[] b = data.get(g);
                if (b != null) {
                    java.util.Arrays.fill(b, within, within + n, (byte) 0);
                }
            }
        });
        length = Math.max(length, offset + bytes);
    }

    @Override
    public synchronized void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
        checkRequest("discard", offset, bytes);
        checkWritable(offset);
        forEachGrain(offset, Math.max(0, Math.min(bytes, length - offset)), (g, within, n) -> {
            if (n == grain) {
                data.remove(g);
                zeroed.remove(g);
            }
        });
    }

    @Override
    public void flush() {
    }

    @Override
    public synchronized void truncate(RequestContext ctx, long newLength, boolean exact, PreallocMode prealloc)
            throws BlockException {
        checkWritable(newLength);
        if (newLength < 0) {
            throw BlockException.einval(newLength, "negative length");
        }
        if (newLength < length) {
            long firstDropped = (newLength + grain - 1) / grain;
            data.tailMap(firstDropped, true).clear();
            zeroed.tailSet(firstDropped, true).clear();
            byte[] last = data.get(newLength / grain);
            if (last != null) {
                // so that growing again reads zeroes, as a file does
                java.util.Arrays.fill(last, (int) (newLength % grain), grain, (byte) 0);
            }
        }
        length = newLength;
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long bytes) {
        if (offset < 0 || offset >= length || bytes < 1) {
            throw new IllegalStateException("block status " + offset + "+" + bytes + " outside " + length);
        }
        long end = Math.min(offset + bytes, length);
        long g = offset / grain;
        long runEnd;
        boolean isData = data.containsKey(g);
        if (isData) {
            long next = g + 1;
            while (data.containsKey(next) && next * grain < end) {
                next++;
            }
            runEnd = next * grain;
        } else {
            Map.Entry<Long, byte[]> nextData = data.ceilingEntry(g + 1);
            runEnd = nextData == null ? end : nextData.getKey() * grain;
        }
        long n = Math.min(runEnd, end) - offset;
        return isData ? new BlockStatus(offset, n, true, false, true, -1, null) : BlockStatus.zero(offset, n, true);
    }

    @Override
    public void close() {
    }

    @FunctionalInterface
    private interface GrainVisitor {
        void visit(long grainIndex, int within, int bytes);
    }

    private void forEachGrain(long offset, long bytes, GrainVisitor v) {
        for (long pos = 0; pos < bytes; ) {
            long at = offset + pos;
            int within = (int) (at % grain);
            int n = (int) Math.min(grain - within, bytes - pos);
            v.visit(at / grain, within, n);
            pos += n;
        }
    }
}
