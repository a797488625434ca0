package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.ForwardingBlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.block.PreallocMode;
import java.util.concurrent.CompletableFuture;

/**
 * Test node: passes everything to a delegate until {@code budget} modifying requests (write, zero,
 * discard, truncate) have gone through; every later one fails with EIO without reaching the delegate,
 * as if the machine had stopped there. budget < 0 means no limit; {@link #modifications()} counts them.
 */
final class CrashAfterWritesNode extends ForwardingBlockNode {
    private final int budget;
    private int done;

    CrashAfterWritesNode(BlockNode inner, int budget) {
        super(inner);
        this.budget = budget;
    }

    int modifications() {
        return done;
    }

    private void spend(long offset) throws BlockException {
        if (budget >= 0 && done >= budget) {
            throw new BlockException(Errno.EIO, offset, "simulated crash");
        }
        done++;
    }

    @Override
    public void write(long offset, IoVector qiov, int flags) throws BlockException {
        spend(offset);
        super.write(offset, qiov, flags);
    }

    @Override
    public void writeZeroes(long offset, long bytes, int flags) throws BlockException {
        spend(offset);
        super.writeZeroes(offset, bytes, flags);
    }

    @Override
    public void discard(long offset, long bytes) throws BlockException {
        spend(offset);
        super.discard(offset, bytes);
    }

    @Override
    public void truncate(long length, boolean exact, PreallocMode prealloc) throws BlockException {
        spend(length);
        super.truncate(length, exact, prealloc);
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, IoVector qiov, int flags) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("sync only"));
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long bytes, int flags) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("sync only"));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long bytes) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("sync only"));
    }
}
