package io.jqcow.block;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The generic block layer in front of one driver: every public call goes through here.
 *
 * <ul>
 *   <li>Bounds: negative offsets or lengths, and requests ending past 2^62, fail with EINVAL. Reads
 *       past the cached length read zeroes (the part before it comes from the driver); writes past
 *       it grow the node. A read-only node refuses writes, write-zeroes, discard and truncate with
 *       EPERM, as QEMU's block layer does.</li>
 *   <li>Length: cached from the driver at open, raised to the driver-visible (aligned) end of every
 *       write or write-zeroes past it, and re-read from the driver after truncate.</li>
 *   <li>Alignment: an unaligned read reads whole blocks through scratch buffers. An unaligned write
 *       or write-zeroes becomes serialising over its aligned window, waits for conflicts, then reads
 *       the head and tail blocks and writes whole blocks, so concurrent partial writes into one
 *       block never lose each other's bytes.</li>
 *   <li>Splitting at maxTransfer; FUA travels on the last chunk only, so a driver's FUA must make
 *       everything written before it durable too (fdatasync after the write does).</li>
 *   <li>Write-zeroes: the driver's, split at its preferred alignment; on ENOTSUP zeroed buffers of
 *       at most 16 MiB unless NO_FALLBACK, which also refuses unaligned requests with ENOTSUP.</li>
 *   <li>Discard: shrunk to whole discard granules (advisory, so partial granules are dropped);
 *       ENOTSUP from the driver is ignored.</li>
 *   <li>Block status: queried up to the cached length; an offset at or past it, or zero bytes, is
 *       EINVAL (callers iterate while offset &lt; length).</li>
 *   <li>Tracking: reads, writes, write-zeroes, discards and truncates register a
 *       {@link TrackedRequest} (the driver's {@link RequestContext}) and wait for conflicts before
 *       the driver sees them; truncate serialises [min(old, new), end of address space). Flush and
 *       block status are not tracked, only counted so close can wait for them.</li>
 *   <li>Async calls run the same code on the graph's {@link RequestThreads}, except plain aligned
 *       reads and writes that an async driver can take as they are ({@link DirectAsync}): those
 *       complete on the driver's completion thread without a request thread. Close refuses new
 *       calls, waits for the ones in progress (async ones count from submission) and closes the
 *       driver.</li>
 * </ul>
 */
public final class RequestLayer implements BlockNode {
    /** Largest end offset a request may reach; keeps all the rounding arithmetic overflow-free. */
    public static final long MAX_END = 1L << 62;

    private final BlockDriver driver;
    private final RequestThreads threads;
    private final Limits limits;
    private final TrackedRequests tracked = new TrackedRequests();
    private final RequestGate gate;
    private final AlignedIo io;
    private final DirectAsync direct;
    private final int align;
    private final boolean ownsThreads;

    public RequestLayer(BlockDriver driver, RequestThreads threads) throws BlockException {
        this(driver, threads, false);
    }

    /** With {@code ownsThreads}, closing this node also shuts the pool down (the top node of a graph). */
    public RequestLayer(BlockDriver driver, RequestThreads threads, boolean ownsThreads) throws BlockException {
        this.driver = driver;
        this.threads = threads;
        this.ownsThreads = ownsThreads;
        this.limits = driver.limits();
        this.align = limits.requestAlignment();
        this.io = new AlignedIo(driver, limits, driver.length());
        this.gate = new RequestGate(driver.name());
        this.direct = new DirectAsync(driver, tracked, gate, io);
    }

    /** The in-flight requests of this node (for diagnostics and tests). */
    public TrackedRequests trackedRequests() {
        return tracked;
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public String formatName() {
        return driver.formatName();
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public long length() {
        return io.length();
    }

    @Override
    public boolean isReadOnly() {
        return driver.isReadOnly();
    }

    @Override
    public BlockDriver driver() {
        return driver;
    }

    // ---- sync API: enter the gate, do the work, leave the gate ----

    @Override
    public void read(long offset, IoVector qiov, int flags) throws BlockException {
        gate.enter();
        try {
            doRead(offset, qiov, flags);
        } finally {
            gate.exit();
        }
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        gate.enter();
        try {
            doWrite(offset, qiov, flags);
        } finally {
            gate.exit();
        }
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        gate.enter();
        try {
            doWriteZeroes(offset, bytes, flags);
        } finally {
            gate.exit();
        }
    }

    @Override
    public void discard(long offset, long bytes) throws BlockException {
        gate.enter();
        try {
            doDiscard(offset, bytes);
        } finally {
            gate.exit();
        }
    }

    @Override
    public void flush() throws BlockException {
        gate.enter();
        try {
            driver.flush();
        } finally {
            gate.exit();
        }
    }

    @Override
    public void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        gate.enter();
        try {
            doTruncate(length, exact, prealloc);
        } finally {
            gate.exit();
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        gate.enter();
        try {
            return doBlockStatus(offset, bytes);
        } finally {
            gate.exit();
        }
    }

    // ---- async API: plain reads and writes straight to an async driver, the rest on request threads ----

    @Override
    public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
        CompletableFuture<Void> f = direct.read(offset, qiov, flags);
        return f != null ? f : async(() -> doRead(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        CompletableFuture<Void> f = direct.write(offset, qiov, flags);
        return f != null ? f : async(() -> doWrite(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return async(() -> doWriteZeroes(offset, bytes, flags));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return async(() -> doDiscard(offset, bytes));
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return async(driver::flush);
    }

    @FunctionalInterface
    private interface Work {
        void run() throws BlockException;
    }

    private CompletableFuture<Void> async(Work work) {
        try {
            gate.enter();
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtomicBoolean started = new AtomicBoolean();
        CompletableFuture<Void> future = threads.submit(() -> {
            started.set(true);
            try {
                work.run();
                return null;
            } finally {
                gate.exit();
            }
        });
        // A pool that refused the task never ran it (its future is then already failed and the task
        // never started): leave the gate here, or close would hang. A queued task leaves it itself.
        if (!started.get() && future.isDone()) {
            gate.exit();
        }
        return future;
    }

    @Override
    public void close() throws BlockException {
        if (gate.closeAndDrain()) {
            try {
                driver.close();
            } finally {
                if (ownsThreads) {
                    threads.close();
                }
            }
        }
    }

    // ---- the work ----

    private static void checkRange(long offset, long bytes) throws BlockException {
        if (offset < 0 || bytes < 0) {
            throw BlockException.einval(offset, "negative offset or length: " + offset + "+" + bytes);
        }
        if (offset > MAX_END - bytes) {
            throw BlockException.einval(offset, "request " + offset + "+" + bytes + " ends past the largest offset");
        }
    }

    private void checkWritable(long offset) throws BlockException {
        if (driver.isReadOnly()) {
            throw new BlockException(Errno.EPERM, offset, "node '" + driver.name() + "' is read-only");
        }
    }

    private void doRead(long offset, IoVector qiov, int flags) throws BlockException {
        long bytes = qiov.size();
        checkRange(offset, bytes);
        if (bytes == 0) {
            return;
        }
        long alignedStart = AlignMath.down(offset, align);
        long alignedEnd = AlignMath.up(offset + bytes, align);
        TrackedRequest req = tracked.begin(RequestType.READ, alignedStart, alignedEnd - alignedStart,
                RequestFlags.has(flags, RequestFlags.SERIALISING));
        try {
            req.waitForConflicts();
            boolean padded = alignedStart != offset || alignedEnd != offset + bytes;
            IoVector v = padded ? io.padForRead(offset, qiov, alignedStart, alignedEnd) : qiov;
            io.read(req, alignedStart, v, flags);
        } finally {
            tracked.end(req);
        }
    }

    private void doWrite(long offset, IoVector qiov, int flags) throws BlockException {
        long bytes = qiov.size();
        checkRange(offset, bytes);
        checkWritable(offset);
        if (bytes == 0) {
            return;
        }
        long alignedStart = AlignMath.down(offset, align);
        long alignedEnd = AlignMath.up(offset + bytes, align);
        boolean padded = alignedStart != offset || alignedEnd != offset + bytes;
        TrackedRequest req = tracked.begin(RequestType.WRITE, alignedStart, alignedEnd - alignedStart,
                padded || RequestFlags.has(flags, RequestFlags.SERIALISING));
        try {
            req.waitForConflicts();
            IoVector v = padded ? io.padForWrite(req, offset, qiov, alignedStart, alignedEnd) : qiov;
            io.write(req, alignedStart, v, flags);
        } finally {
            tracked.end(req);
        }
    }

    private void doWriteZeroes(long offset, long bytes, int flags) throws BlockException {
        checkRange(offset, bytes);
        checkWritable(offset);
        if (bytes == 0) {
            return;
        }
        long end = offset + bytes;
        long alignedStart = AlignMath.down(offset, align);
        long alignedEnd = AlignMath.up(end, align);
        boolean padded = alignedStart != offset || alignedEnd != end;
        if (padded && RequestFlags.has(flags, RequestFlags.NO_FALLBACK)) {
            throw BlockException.enotsup(offset, "unaligned write-zeroes needs a read-modify-write fallback");
        }
        TrackedRequest req = tracked.begin(RequestType.ZERO, alignedStart, alignedEnd - alignedStart,
                padded || RequestFlags.has(flags, RequestFlags.SERIALISING));
        try {
            req.waitForConflicts();
            if (alignedEnd - alignedStart == align && padded) {
                io.zeroInsideBlock(req, offset, end, flags);
                return;
            }
            long middleStart = AlignMath.up(offset, align);
            long middleEnd = AlignMath.down(end, align);
            boolean tail = middleEnd != end;
            if (middleStart != offset) {
                io.zeroInsideBlock(req, offset, middleStart, flags & ~RequestFlags.FUA);
            }
            if (middleEnd > middleStart) {
                int middleFlags = tail ? flags & ~RequestFlags.FUA : flags;
                io.writeZeroes(req, middleStart, middleEnd - middleStart, middleFlags, limits.writeZeroesAlignment());
            }
            if (tail) {
                io.zeroInsideBlock(req, middleEnd, end, flags);
            }
        } finally {
            tracked.end(req);
        }
    }

    private void doDiscard(long offset, long bytes) throws BlockException {
        checkRange(offset, bytes);
        checkWritable(offset);
        long granule = Math.max(align, limits.discardAlignment());
        long start = AlignMath.up(offset, granule);
        long end = AlignMath.down(offset + bytes, granule);
        if (start >= end) {
            return;
        }
        TrackedRequest req = tracked.begin(RequestType.DISCARD, start, end - start, false);
        try {
            req.waitForConflicts();
            io.discard(req, start, end - start, granule);
        } finally {
            tracked.end(req);
        }
    }

    private void doTruncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        checkRange(length, 0);
        checkWritable(length);
        long from = Math.min(io.length(), length);
        TrackedRequest req = tracked.begin(RequestType.TRUNCATE, from, Long.MAX_VALUE - from, true);
        try {
            req.waitForConflicts();
            driver.truncate(req, length, exact, prealloc);
            io.setLength(driver.length());
        } finally {
            tracked.end(req);
        }
    }

    private BlockStatus doBlockStatus(long offset, long bytes) throws BlockException {
        checkRange(offset, bytes);
        long len = io.length();
        if (offset >= len || bytes == 0) {
            throw BlockException.einval(offset, "block status of " + offset + "+" + bytes + " outside node of "
                    + len + " bytes");
        }
        long want = Math.min(bytes, len - offset);
        BlockStatus status = driver.blockStatus(offset, want);
        if (status.offset() != offset || status.length() < 1) {
            throw BlockException.eio(offset, "driver '" + driver.name() + "' answered block status " + status);
        }
        return status.length() > want ? status.withLength(want) : status;
    }
}
