package io.jqcow.testing;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;
import java.util.concurrent.CompletableFuture;

/** Test stand-in for the request layer: passes calls straight to a driver with RequestContext.NONE. */
public final class DriverNode implements BlockNode {
    private final BlockDriver driver;

    public DriverNode(BlockDriver driver) {
        this.driver = driver;
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
        return driver.limits();
    }

    @Override
    public long length() throws BlockException {
        return driver.length();
    }

    @Override
    public boolean isReadOnly() {
        return driver.isReadOnly();
    }

    @Override
    public BlockDriver driver() {
        return driver;
    }

    @Override
    public void read(long offset, IoVector qiov, int flags) throws BlockException {
        long len = driver.length();
        long n = Math.max(0, Math.min(qiov.size(), len - offset));
        if (n > 0) {
            driver.read(RequestContext.NONE, offset, qiov.slice(0, n), flags);
        }
        if (n < qiov.size()) {
            qiov.zero(n, qiov.size() - n);
        }
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        driver.write(RequestContext.NONE, offset, qiov, flags);
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        driver.writeZeroes(RequestContext.NONE, offset, bytes, flags);
    }

    @Override
    public void discard(long offset, long bytes) throws BlockException {
        driver.discard(RequestContext.NONE, offset, bytes);
    }

    @Override
    public void flush() throws BlockException {
        driver.flush();
    }

    @Override
    public void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        driver.truncate(RequestContext.NONE, length, exact, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        return driver.blockStatus(offset, bytes);
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, IoVector qiov, int flags) {
        return FileImageNode.run(() -> read(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        return FileImageNode.run(() -> write(offset, qiov, flags));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return FileImageNode.run(() -> writeZeroes(offset, bytes, flags));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return FileImageNode.run(() -> discard(offset, bytes));
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return FileImageNode.run(this::flush);
    }

    @Override
    public void close() throws BlockException {
        driver.close();
    }
}
