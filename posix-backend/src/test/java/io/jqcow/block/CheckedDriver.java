package io.jqcow.block;

import java.util.concurrent.locks.LockSupport;

/**
 * A RecordingDriver whose every data call is checked against the others in flight with a
 * {@link ConflictChecker} (and lingers 20 µs, so overlaps have a chance to show).
 */
class CheckedDriver extends RecordingDriver {
    final ConflictChecker checker = new ConflictChecker();

    CheckedDriver(BlockDriver inner) {
        super(inner);
    }

    interface Call {
        void run() throws BlockException;
    }

    void checked(RequestContext ctx, Call call) throws BlockException {
        TrackedRequest r = (TrackedRequest) ctx;
        checker.enter(r);
        try {
            LockSupport.parkNanos(20_000);
            call.run();
        } finally {
            checker.exit(r);
        }
    }

    /** The inner read without the check, for a subclass that checks over a longer span itself. */
    void uncheckedRead(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        super.read(ctx, offset, qiov, flags);
    }

    /** The inner write without the check (see {@link #uncheckedRead}). */
    void uncheckedWrite(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        super.write(ctx, offset, qiov, flags);
    }

    @Override
    public void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        checked(ctx, () -> super.read(ctx, offset, qiov, flags));
    }

    @Override
    public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        checked(ctx, () -> super.write(ctx, offset, qiov, flags));
    }

    @Override
    public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
        checked(ctx, () -> super.writeZeroes(ctx, offset, bytes, flags));
    }

    @Override
    public void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
        checked(ctx, () -> super.discard(ctx, offset, bytes));
    }

    @Override
    public void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc)
            throws BlockException {
        checked(ctx, () -> super.truncate(ctx, length, exact, prealloc));
    }
}
