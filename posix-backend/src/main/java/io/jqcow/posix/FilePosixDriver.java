package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoCompletion;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.nio.ByteBuffer;

/**
 * QEMU's file/host_device driver over a {@link HostFile}. Reads and writes go straight to the
 * kernel only when the vector is safe for O_DIRECT everywhere: every segment direct, its base
 * memAlignment-aligned and its length a requestAlignment multiple. Whether the kernel accepts less
 * (e.g. 512-byte iovecs on a 4K device) depends on the kernel version and the device's queue limits,
 * so anything else bounces through an aligned buffer. Requests must be requestAlignment-aligned
 * (the request layer guarantees it); past EOF, reads return zeroes.
 */
public final class FilePosixDriver implements BlockDriver {
    /** Largest bounce buffer; bigger unaligned requests bounce in chunks of this size. */
    static final int MAX_BOUNCE = 1 << 20;
    /** Small bounce buffers kept: one per request thread of the default pool. */
    private static final int BOUNCE_KEEP_SMALL = 64;

    private final HostFile file;
    private final String name;
    private final CacheMode cache;
    private final boolean readOnly;
    private final Limits limits;
    private final ZeroWriter zeroWriter;
    private final boolean allocZeroWritesAllowed;
    private final ImageLock lock;
    private final BouncePool bounces;

    /**
     * @param serialisePostEofZeroWrites the resolved XFS policy: zero-writes reaching past EOF
     *                                   exclude every other request while they run
     * @param allocZeroWritesAllowed     the resolved policy for qcow2's allocation zero-writes
     * @param lock                       the image lock on the file's descriptor (dropped when it closes)
     */
    public FilePosixDriver(HostFile file, String name, CacheMode cache, boolean readOnly, Limits limits,
                           boolean serialisePostEofZeroWrites, boolean allocZeroWritesAllowed, ImageLock lock) {
        this.file = file;
        this.name = name;
        this.cache = cache;
        this.readOnly = readOnly;
        this.limits = limits;
        this.zeroWriter = new ZeroWriter(file, serialisePostEofZeroWrites);
        this.allocZeroWritesAllowed = allocZeroWritesAllowed;
        this.lock = lock;
        // MAX_BOUNCE is a multiple of every power-of-two alignment up to it, so chunks stay aligned.
        int bounceSize = Math.max(MAX_BOUNCE, Math.max(limits.requestAlignment(), limits.optMemAlignment()));
        this.bounces = new BouncePool(bounceSize, limits.optMemAlignment(), limits.requestAlignment(),
                BOUNCE_KEEP_SMALL, 4);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String formatName() {
        return file.isBlockDevice() ? "host_device" : "file";
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public long length() throws BlockException {
        return file.size();
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public boolean allocZeroWritesAllowed() {
        return allocZeroWritesAllowed;
    }

    /** The file under this driver (possibly decorated). */
    public HostFile hostFile() {
        return file;
    }

    /** The image lock held through this file's descriptor. */
    public ImageLock imageLock() {
        return lock;
    }

    /** QEMU's permission update: re-takes the image locks for {@code request} (EAGAIN on conflict). */
    public void updateLocks(LockRequest request) throws BlockException {
        lock.update(request);
    }

    ZeroWriter zeroWriter() {
        return zeroWriter;
    }

    /** Whether a vector can be handed to the kernel as is. */
    boolean isZeroCopy(IoVector qiov) {
        return qiov.isAligned(limits.memAlignment(), limits.requestAlignment());
    }

    @Override
    public void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        long n = qiov.size();
        if (n == 0) {
            return;
        }
        if (isZeroCopy(qiov)) {
            long got = file.preadv(qiov.segments(), offset);
            if (got < n) {
                qiov.zero(got, n - got); // past EOF reads as zeroes
            }
            return;
        }
        ByteBuffer bounce = bounces.acquire(n);
        try {
            bouncedRead(offset, qiov, bounce);
        } finally {
            bounces.release(bounce);
        }
    }

    private void bouncedRead(long offset, IoVector qiov, ByteBuffer bounce) throws BlockException {
        long n = qiov.size();
        long done = 0;
        int align = limits.requestAlignment();
        while (done < n) {
            // Read whole alignment units even for an odd tail; only the wanted bytes are copied.
            int want = (int) Math.min(bounce.capacity(), n - done);
            int len = (int) Math.min(bounce.capacity(), roundUp(want, align));
            ByteBuffer chunk = bounce.slice(0, len);
            long got = file.preadv(new ByteBuffer[] {chunk}, offset + done);
            int use = (int) Math.min(got, want);
            qiov.copyFrom(done, chunk.slice(0, use));
            if (use < want) {
                qiov.zero(done + use, n - done - use);
                return;
            }
            done += want;
        }
    }

    @Override
    public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        checkWritable(offset);
        long n = qiov.size();
        if (n == 0) {
            return;
        }
        if (isZeroCopy(qiov)) {
            file.pwritev(qiov.segments(), offset);
        } else {
            ByteBuffer bounce = bounces.acquire(n);
            try {
                long done = 0;
                while (done < n) {
                    int len = (int) Math.min(bounce.capacity(), n - done);
                    ByteBuffer chunk = bounce.slice(0, len);
                    qiov.copyTo(done, chunk.duplicate());
                    file.pwritev(new ByteBuffer[] {chunk}, offset + done);
                    done += len;
                }
            } finally {
                bounces.release(bounce);
            }
        }
        if (RequestFlags.has(flags, RequestFlags.FUA) && !cache.dsync && !cache.noFlush) {
            file.sync(true);
        }
    }

    /**
     * Async read straight from the engine, only when it is really asynchronous and the vector needs
     * no bounce; anything else (or an engine that refuses to start it) is left to {@link #read}.
     */
    @Override
    public boolean tryReadAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        long n = qiov.size();
        if (n == 0 || !file.supportsAsync() || !isZeroCopy(qiov)) {
            return false;
        }
        try {
            file.preadvAsync(qiov.segments(), offset, (got, failure) -> {
                if (failure == null && got < n) {
                    qiov.zero(got, n - got); // past EOF reads as zeroes
                }
                done.done(failure);
            });
            return true;
        } catch (BlockException e) {
            return false; // not started: the sync path reports (or survives) it
        }
    }

    /** Async write, as {@link #tryReadAsync}; a FUA write that needs its fdatasync goes the sync way. */
    @Override
    public boolean tryWriteAsync(RequestContext ctx, long offset, IoVector qiov, int flags, IoCompletion done) {
        boolean needsSync = RequestFlags.has(flags, RequestFlags.FUA) && !cache.dsync && !cache.noFlush;
        if (readOnly || needsSync || qiov.size() == 0 || !file.supportsAsync() || !isZeroCopy(qiov)) {
            return false;
        }
        try {
            file.pwritevAsync(qiov.segments(), offset, (written, failure) -> done.done(failure));
            return true;
        } catch (BlockException e) {
            return false;
        }
    }

    private static long roundUp(long n, int align) {
        return (n + align - 1) / align * align;
    }

    @Override
    public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
        checkWritable(offset);
        zeroWriter.writeZeroes(ctx, offset, bytes, flags);
    }

    @Override
    public void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
        checkWritable(offset);
        zeroWriter.discard(offset, bytes);
    }

    @Override
    public void flush() throws BlockException {
        if (!cache.noFlush && !readOnly) {
            file.sync(true);
        }
    }

    @Override
    public void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc)
            throws BlockException {
        checkWritable(length);
        new Truncation(file, limits.requestAlignment()).truncate(length, exact, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        if (file.isBlockDevice()) {
            return dataStatus(offset, bytes);
        }
        long data;
        try {
            data = file.seekData(offset);
        } catch (BlockException e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOTSUP) {
                return dataStatus(offset, bytes); // no SEEK_DATA here: everything may hold data
            }
            throw e;
        }
        if (data < 0) {
            return holeStatus(offset, bytes); // no data after offset: the rest is a hole
        }
        if (data > offset) {
            return holeStatus(offset, Math.min(bytes, data - offset));
        }
        long hole = file.seekHole(offset);
        if (hole <= offset) {
            return dataStatus(offset, bytes); // a racing truncate; claim data, which is always safe
        }
        return dataStatus(offset, Math.min(bytes, hole - offset));
    }

    private static BlockStatus dataStatus(long offset, long len) {
        return new BlockStatus(offset, len, true, false, true, offset, null);
    }

    /** A hole reads as zeroes and is this layer's answer, like QEMU's BDRV_BLOCK_ZERO with a valid offset. */
    private static BlockStatus holeStatus(long offset, long len) {
        return new BlockStatus(offset, len, false, true, true, offset, null);
    }

    private void checkWritable(long offset) throws BlockException {
        if (readOnly) {
            throw new BlockException(Errno.EPERM, offset, "Block node is read-only");
        }
    }

    @Override
    public void close() throws BlockException {
        file.close();
    }
}
