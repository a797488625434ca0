package io.jqcow.posix.aio;

import com.google.common.util.concurrent.Uninterruptibles;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.HostFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One linux-aio context (one per file node). A request thread that finds nothing queued and room in
 * the context calls io_submit itself (one thread handoff less per I/O); otherwise it queues the
 * request and a submitter thread hands the backlog to io_submit in batches of up to
 * {@code maxBatch}. A reaper thread blocks in io_getevents and completes them; request threads block
 * until then. EAGAIN from io_submit puts the batch back and retries after a
 * completion (or a short pause), so requests are never dropped. close() lets everything queued and
 * in flight finish, stops both threads, then io_destroy()s the context.
 *
 * <p>Async requests ({@link #submitAsync}) have no waiting thread: the reaper calls their callback.
 * What those callbacks submit is plugged: collected while the reaper serves its batch of events and
 * sent in one io_submit afterwards. A blocking call made on the reaper thread could never be
 * completed (the reaper would wait for itself), so callers must check {@link #isReaperThread()} and
 * use the plain syscall there; {@link #submitAndWait} refuses with EINVAL as a last guard.
 */
public final class LinuxAioContext implements AutoCloseable {

    public static final int DEFAULT_EVENTS = 1024;
    public static final int DEFAULT_MAX_BATCH = 32;

    private static final int EINTR = 4;
    private static final int EVENTS_PER_REAP = 128;
    /** Most plugged requests per io_submit. */
    private static final int PLUG_BATCH = 128;
    /** Requests with up to this many buffers reuse pooled native blocks. */
    private static final int POOLED_IOVECS = 16;
    /** The reaper wakes this often to notice close(); io_destroy alone would not wake it portably. */
    private static final long REAP_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** After EAGAIN with nothing of ours completing, retry after this pause. */
    private static final long BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final AioKernel kernel;
    private final long ctx;
    private final int capacity;
    private final SubmissionQueue<AioRequest> queue;
    private final Map<Long, AioRequest> inKernel = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Memory iocbpp;
    private final NativeBlocks blocks = new NativeBlocks(AioRequest.blockSize(POOLED_IOVECS));
    private final Memory events = new Memory((long) IoEvent.SIZE * EVENTS_PER_REAP);
    private final Memory timespec = new Memory(16);
    /** The reaper's own iocb pointer array for plugged submissions. */
    private final Memory pluggedIocbpp = new Memory(8L * PLUG_BATCH);
    /** Requests submitted on the reaper thread while it serves events; only the reaper touches it. */
    private final List<AioRequest> plugged = new ArrayList<>();
    private final Thread submitter;
    private final Thread reaper;

    // Guarded by lock.
    private int inFlight;
    private boolean closing;
    private boolean submitterDone;
    /**
     * Request threads inside their own io_submit, plus requests plugged on the reaper; the submitter
     * stays for their EAGAIN backlog.
     */
    private int inlineSubmits;
    private boolean closed;
    /** Set by close() called on the reaper thread itself; read only by the reaper. */
    private boolean releaseOnReaperExit;
    /** Set when io_getevents failed: nothing can complete any more. */
    private Errno broken;

    private LinuxAioContext(AioKernel kernel, long ctx, int capacity, int maxBatch, String name) {
        this.kernel = kernel;
        this.ctx = ctx;
        this.capacity = capacity;
        this.queue = new SubmissionQueue<>(maxBatch);
        this.iocbpp = new Memory(8L * maxBatch);
        this.submitter = new Thread(this::submitLoop, "jqcow-aio-submit-" + name);
        this.reaper = new Thread(this::reapLoop, "jqcow-aio-reap-" + name);
        submitter.setDaemon(true);
        reaper.setDaemon(true);
    }

    /**
     * io_setup()s a context with room for {@code capacity} requests in flight.
     *
     * @throws BlockException ENOTSUP when the kernel has no linux-aio (ENOSYS), else io_setup's errno
     */
    public static LinuxAioContext open(AioKernel kernel, int capacity, int maxBatch, String name)
            throws BlockException {
        if (capacity < 1 || maxBatch < 1) {
            throw new BlockException(Errno.EINVAL, "linux-aio needs positive queue depth and batch size");
        }
        long ctx;
        try (Memory ctxp = new Memory(8)) {
            ctxp.setLong(0, 0);
            long r = kernel.setup(capacity, Pointer.nativeValue(ctxp));
            if (r < 0) {
                Errno e = Errno.of((int) -r);
                if (e == Errno.ENOSYS) {
                    throw new BlockException(Errno.ENOTSUP, "linux-aio is not available in this kernel (io_setup: "
                            + e.description() + ")");
                }
                throw new BlockException(e, "io_setup(" + capacity + ") failed: " + e.description());
            }
            ctx = ctxp.getLong(0);
        }
        LinuxAioContext c = new LinuxAioContext(kernel, ctx, capacity, maxBatch, name);
        c.submitter.start();
        c.reaper.start();
        return c;
    }

    /** Submits one preadv ({@code write} false) or pwritev and blocks until it completes. */
    public long submitAndWait(boolean write, int fd, ByteBuffer[] buffers, long offset) throws BlockException {
        if (isReaperThread()) {
            throw new BlockException(Errno.EINVAL, offset, "blocking linux-aio call on its own reaper thread");
        }
        AioRequest r = new AioRequest(blocks, nextId.getAndIncrement(), write, fd, buffers, offset);
        try {
            boolean inline;
            lock.lock();
            try {
                if (broken != null) {
                    throw new BlockException(broken, offset, "linux-aio context failed earlier: "
                            + broken.description());
                }
                if (closing) {
                    throw new BlockException(Errno.EBADF, offset, "linux-aio context is closed");
                }
                inline = admit(r);
            } finally {
                lock.unlock();
            }
            if (inline) {
                submitInline(r);
            }
            return r.await();
        } finally {
            r.free();
        }
    }

    /** Whether the caller is this context's reaper thread (where blocking on aio would deadlock). */
    public boolean isReaperThread() {
        return Thread.currentThread() == reaper;
    }

    /**
     * Submits one preadv ({@code write} false) or pwritev without waiting: {@code done} gets the
     * result on the reaper thread (or on this thread if io_submit rejects it). On the reaper itself
     * the request is plugged until the current batch of events has been served.
     *
     * @throws BlockException when the context is closed or broken; {@code done} is then never called
     */
    public void submitAsync(boolean write, int fd, ByteBuffer[] buffers, long offset, HostFile.IoDone done)
            throws BlockException {
        AioRequest r = new AioRequest(blocks, nextId.getAndIncrement(), write, fd, buffers, offset, done);
        boolean onReaper = isReaperThread();
        boolean inline;
        lock.lock();
        try {
            if (broken != null || closing) {
                r.free();
                throw new BlockException(broken != null ? broken : Errno.EBADF, offset,
                        broken != null ? "linux-aio context failed earlier: " + broken.description()
                                : "linux-aio context is closed");
            }
            if (onReaper) {
                inlineSubmits++; // keeps the submitter alive until the plug is flushed
                plugged.add(r);
                return;
            }
            inline = admit(r);
        } finally {
            lock.unlock();
        }
        if (inline) {
            submitInline(r);
        }
    }

    /**
     * The reaper sends what its callbacks plugged, in io_submit calls of up to PLUG_BATCH; whatever
     * the kernel does not take now (no room, EAGAIN, a queue already waiting) goes to the submitter.
     */
    private void flushPlugged() {
        if (plugged.isEmpty()) {
            return;
        }
        int from = 0;
        while (from < plugged.size()) {
            int room;
            lock.lock();
            try {
                room = queue.isEmpty() ? capacity - inFlight : 0; // keep the queue's order
            } finally {
                lock.unlock();
            }
            int k = Math.min(Math.min(plugged.size() - from, room), PLUG_BATCH);
            if (k <= 0) {
                break;
            }
            for (int i = 0; i < k; i++) {
                AioRequest r = plugged.get(from + i);
                inKernel.put(r.id(), r);
                pluggedIocbpp.setLong(8L * i, r.iocbAddress());
            }
            addInFlight(k);
            long n = kernel.submit(ctx, k, Pointer.nativeValue(pluggedIocbpp));
            int taken = (int) Math.max(0, Math.min(n, k));
            for (int i = taken; i < k; i++) {
                inKernel.remove(plugged.get(from + i).id());
            }
            if (taken < k) {
                addInFlight(taken - k);
            }
            from += taken;
            if (n < 0 && n != -SubmissionQueue.EAGAIN) {
                reject(plugged.get(from++), (int) -n); // its callback may plug more; the loop sees them
                continue;
            }
            if (taken < k) {
                break; // EAGAIN or a partial submit: the submitter retries the rest
            }
        }
        lock.lock();
        try {
            for (int i = from; i < plugged.size(); i++) {
                queue.add(plugged.get(i));
            }
            inlineSubmits -= plugged.size();
            if (from < plugged.size() || closing) {
                changed.signalAll(); // a backlog for the submitter, or a submitter waiting to leave
            }
        } finally {
            lock.unlock();
        }
        plugged.clear();
    }

    /**
     * Under the lock: claims a kernel slot for the caller to submit inline (true), or queues the
     * request for the submitter. Inline only when nothing waits, so queued requests keep their
     * order and their batching.
     */
    private boolean admit(AioRequest r) {
        if (queue.isEmpty() && inFlight < capacity) {
            inFlight++;
            inlineSubmits++;
            inKernel.put(r.id(), r);
            return true;
        }
        queue.add(r);
        changed.signalAll();
        return false;
    }

    /** io_submit of one request on the calling thread; EAGAIN sends it to the submitter's queue. */
    private void submitInline(AioRequest r) {
        long n = kernel.submit(ctx, 1, r.iocbSlotAddress());
        if (n == 1) {
            lock.lock();
            try {
                inlineSubmits--;
                if (closing) {
                    changed.signalAll(); // the submitter may be waiting for us to leave
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        inKernel.remove(r.id());
        lock.lock();
        try {
            inFlight--;
            inlineSubmits--;
            if (n == -SubmissionQueue.EAGAIN || n == 0) {
                queue.add(r);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (n < 0 && n != -SubmissionQueue.EAGAIN) {
            reject(r, (int) -n);
        }
    }

    private void submitLoop() {
        boolean busy = false;
        try {
            while (true) {
                int room;
                lock.lock();
                try {
                    while (true) {
                        if (closing && queue.isEmpty() && inlineSubmits == 0) {
                            return;
                        }
                        if (busy) {
                            // EAGAIN: wait for a completion to free kernel resources, or a short pause.
                            awaitNanos(BUSY_RETRY_NANOS);
                            busy = false;
                        } else if (!queue.isEmpty() && inFlight < capacity) {
                            break;
                        } else {
                            changed.awaitUninterruptibly();
                        }
                    }
                    room = capacity - inFlight;
                } finally {
                    lock.unlock();
                }
                busy = queue.submitOnce(this::ioSubmit, this::reject, room).outcome()
                        == SubmissionQueue.Outcome.BUSY;
            }
        } finally {
            lock.lock();
            try {
                submitterDone = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void awaitNanos(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // Nobody interrupts this private thread; treat it as a spurious wake-up.
        }
    }

    /** The submitter's io_submit call; counts the batch in flight before the kernel can finish it. */
    private long ioSubmit(List<AioRequest> batch) {
        Errno failed = brokenErrno();
        if (failed != null) {
            return -failed.code; // the queue rejects them one by one; the reaper would never complete them
        }
        for (int i = 0; i < batch.size(); i++) {
            AioRequest r = batch.get(i);
            inKernel.put(r.id(), r);
            iocbpp.setLong(8L * i, r.iocbAddress());
        }
        addInFlight(batch.size());
        long n = kernel.submit(ctx, batch.size(), Pointer.nativeValue(iocbpp));
        int taken = (int) Math.max(0, Math.min(n, batch.size()));
        for (int i = taken; i < batch.size(); i++) {
            inKernel.remove(batch.get(i).id());
        }
        addInFlight(taken - batch.size());
        return n;
    }

    private void reject(AioRequest r, int errno) {
        r.complete(-errno);
    }

    private Errno brokenErrno() {
        lock.lock();
        try {
            return broken;
        } finally {
            lock.unlock();
        }
    }

    private void addInFlight(int delta) {
        lock.lock();
        try {
            inFlight += delta;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void reapLoop() {
        try {
            reapUntilClosed();
        } finally {
            if (releaseOnReaperExit) {
                Uninterruptibles.joinUninterruptibly(submitter);
                try {
                    release();
                } catch (BlockException e) {
                    // io_destroy failing after everything completed leaves nothing to clean up
                }
            }
        }
    }

    private void reapUntilClosed() {
        ByteOrder order = ByteOrder.nativeOrder();
        while (true) {
            timespec.setLong(0, 0);
            timespec.setLong(8, REAP_TIMEOUT_NANOS);
            long n = kernel.getEvents(ctx, 1, EVENTS_PER_REAP, Pointer.nativeValue(events),
                    Pointer.nativeValue(timespec));
            if (n == -EINTR) {
                continue;
            }
            if (n < 0) {
                failEverything(Errno.of((int) -n));
                return;
            }
            ByteBuffer view = events.getByteBuffer(0, events.size());
            for (int i = 0; i < n; i++) {
                IoEvent ev = IoEvent.decode(view, i, order);
                AioRequest r = inKernel.remove(ev.data());
                if (r != null) {
                    r.complete(ev.res());
                }
            }
            lock.lock();
            try {
                inFlight -= (int) n;
                if (closing || !queue.isEmpty()) {
                    changed.signalAll(); // room for the backlog; otherwise nobody waits on this
                }
            } finally {
                lock.unlock();
            }
            flushPlugged();
            lock.lock();
            try {
                if (closing && submitterDone && inFlight == 0) {
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** io_getevents itself failed: nothing more will complete, so fail every waiter. */
    private void failEverything(Errno errno) {
        Errno kind = errno == Errno.EUNKNOWN ? Errno.EIO : errno;
        lock.lock();
        try {
            broken = kind;
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        String why = "io_getevents failed: " + errno.description();
        for (AioRequest r : queue.drainAll()) {
            r.fail(kind, why);
        }
        for (AioRequest r : inKernel.values()) {
            inKernel.remove(r.id());
            r.fail(kind, why);
        }
    }

    /** Waits for queued and in-flight requests, stops the threads and destroys the kernel context. */
    @Override
    public void close() throws BlockException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (isReaperThread()) {
            // Closed from a completion callback: the reaper cannot wait for itself, so it releases
            // the context when its loop ends (once the submitter is done and nothing is in flight).
            releaseOnReaperExit = true;
            return;
        }
        Uninterruptibles.joinUninterruptibly(submitter);
        Uninterruptibles.joinUninterruptibly(reaper);
        release();
    }

    private void release() throws BlockException {
        long r = kernel.destroy(ctx);
        iocbpp.close();
        blocks.close();
        events.close();
        timespec.close();
        pluggedIocbpp.close();
        if (r < 0) {
            Errno e = Errno.of((int) -r);
            throw new BlockException(e, "io_destroy failed: " + e.description());
        }
    }
}
