package io.jqcow.testing;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestFlags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Test protocol node: a file loaded into a growable byte array, written back on close.
 * Reads past EOF return zeroes (as the request layer does). Thread-safe.
 */
public final class FileImageNode implements BlockNode {
    private final Path path;
    private final boolean readOnly;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private byte[] data;
    private long length;
    private boolean zeroWritesSupported = true;
    public final AtomicInteger flushes = new AtomicInteger();
    public final AtomicInteger zeroWrites = new AtomicInteger();
    /** When set, every write (offset + bytes) and flush (null bytes) is appended, in order. */
    public volatile java.util.List<Event> log;

    /** One recorded operation: a write, or a flush when data is null. */
    public record Event(long offset, byte[] data) {
    }

    public FileImageNode(Path path, boolean readOnly) {
        this.path = path;
        this.readOnly = readOnly;
        try {
            this.data = Files.exists(path) ? Files.readAllBytes(path) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.length = data.length;
    }

    /** Makes efficient write-zeroes fail with ENOTSUP (as on filesystems without fallocate). */
    public FileImageNode withoutZeroWrites() {
        zeroWritesSupported = false;
        return this;
    }

    public byte[] contents() {
        lock.readLock().lock();
        try {
            return Arrays.copyOf(data, (int) length);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public String formatName() {
        return "file";
    }

    @Override
    public Limits limits() {
        return Limits.BYTE_ALIGNED;
    }

    @Override
    public long length() {
        lock.readLock().lock();
        try {
            return length;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public BlockDriver driver() {
        return null;
    }

    @Override
    public void read(long offset, IoVector qiov, int flags) {
        lock.readLock().lock();
        try {
            long n = Math.max(0, Math.min(qiov.size(), length - offset));
            if (n > 0) {
                qiov.copyFrom(0, ByteBuffer.wrap(data, (int) offset, (int) n));
            }
            if (n < qiov.size()) {
                qiov.zero(n, qiov.size() - n);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        checkWritable(offset);
        lock.writeLock().lock();
        try {
            ensure(offset + qiov.size());
            qiov.copyTo(0, ByteBuffer.wrap(data, (int) offset, (int) qiov.size()));
            record(offset, Arrays.copyOfRange(data, (int) offset, (int) (offset + qiov.size())));
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        checkWritable(offset);
        if (!zeroWritesSupported && RequestFlags.has(flags, RequestFlags.NO_FALLBACK)) {
            throw new BlockException(Errno.ENOTSUP, offset, "no efficient zero writes here");
        }
        zeroWrites.incrementAndGet();
        lock.writeLock().lock();
        try {
            ensure(offset + bytes);
            Arrays.fill(data, (int) offset, (int) (offset + bytes), (byte) 0);
            record(offset, new byte[(int) bytes]);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void discard(long offset, long bytes) throws BlockException {
        checkWritable(offset);
        lock.writeLock().lock();
        try {
            long end = Math.min(length, offset + bytes);
            if (end > offset) {
                Arrays.fill(data, (int) offset, (int) end, (byte) 0);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void flush() throws BlockException {
        flushes.incrementAndGet();
        lock.writeLock().lock();
        try {
            record(-1, null);
        } finally {
            lock.writeLock().unlock();
        }
        // Durability is simulated by the event log; the file on disk is written on close.
    }

    /** Writes the bytes to the file on disk. */
    public void save() throws BlockException {
        try {
            Files.write(path, contents());
        } catch (IOException e) {
            throw new BlockException(Errno.EIO, -1, "save failed: " + e.getMessage());
        }
    }

    @Override
    public void truncate(long newLength, boolean exact, PreallocMode prealloc) throws BlockException {
        checkWritable(newLength);
        lock.writeLock().lock();
        try {
            ensure(newLength);
            if (newLength < length) {
                Arrays.fill(data, (int) newLength, (int) length, (byte) 0);
            }
            length = newLength;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) {
        return BlockStatus.data(offset, Math.min(bytes, Math.max(1, length() - offset)), offset, this);
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
        return run(() -> read(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        return run(() -> write(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return run(() -> writeZeroes(offset, bytes, flags));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return run(() -> discard(offset, bytes));
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return run(this::flush);
    }

    @Override
    public void close() throws BlockException {
        if (!readOnly) {
            save();
        }
    }

    private void record(long offset, byte[] bytes) {
        java.util.List<Event> l = log;
        if (l != null) {
            l.add(new Event(offset, bytes));
        }
    }

    private void checkWritable(long offset) throws BlockException {
        if (readOnly) {
            throw new BlockException(Errno.EROFS, offset, "read-only test node");
        }
    }

    private void ensure(long end) {
        if (end > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("test node too large: " + end);
        }
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 16, data.length * 3L / 2)));
        }
        if (end > length) {
            length = end;
        }
    }

    interface Io {
        void run() throws BlockException;
    }

    static CompletableFuture<Void> run(Io io) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            io.run();
            f.complete(null);
        } catch (BlockException | RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
