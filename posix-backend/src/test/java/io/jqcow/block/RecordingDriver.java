package io.jqcow.block;

import java.util.ArrayList;
import java.util.List;

/** Delegates to another driver and records every data call; can pause in reads to widen races. */
class RecordingDriver implements BlockDriver {
    record Call(String op, long offset, long bytes, int flags) {
    }

    private final BlockDriver inner;
    private final List<Call> calls = new ArrayList<>();
    private volatile boolean pauseInReads;

    RecordingDriver(BlockDriver inner) {
        this.inner = inner;
    }

    /** Makes every read yield the CPU for a moment, so a read-modify-write race would show. */
    RecordingDriver pauseInReads() {
        pauseInReads = true;
        return this;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> calls(String op) {
        return calls.stream().filter(c -> c.op().equals(op)).toList();
    }

    synchronized void clear() {
        calls.clear();
    }

    private synchronized void record(String op, long offset, long bytes, int flags) {
        calls.add(new Call(op, offset, bytes, flags));
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String formatName() {
        return inner.formatName();
    }

    @Override
    public Limits limits() {
        return inner.limits();
    }

    @Override
    public long length() throws BlockException {
        return inner.length();
    }

    @Override
    public boolean isReadOnly() {
        return inner.isReadOnly();
    }

    @Override
    public void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        record("read", offset, qiov.size(), flags);
        inner.read(ctx, offset, qiov, flags);
        if (pauseInReads) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        record("write", offset, qiov.size(), flags);
        inner.write(ctx, offset, qiov, flags);
    }

    @Override
    public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
        record("zero", offset, bytes, flags);
        inner.writeZeroes(ctx, offset, bytes, flags);
    }

    @Override
    public void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
        record("discard", offset, bytes, 0);
        inner.discard(ctx, offset, bytes);
    }

    @Override
    public void flush() throws BlockException {
        record("flush", 0, 0, 0);
        inner.flush();
    }

    @Override
    public void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc) throws BlockException {
        record("truncate", length, 0, 0);
        inner.truncate(ctx, length, exact, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        return inner.blockStatus(offset, bytes);
    }

    @Override
    public void close() throws BlockException {
        record("close", 0, 0, 0);
        inner.close();
    }
}
