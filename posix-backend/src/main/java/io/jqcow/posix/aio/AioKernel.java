package io.jqcow.posix.aio;

/**
 * The four linux-aio syscalls, each returning a non-negative result or -errno (never throwing), so
 * that tests can stand in for the kernel where it cannot be made to fail on demand (EAGAIN).
 * Addresses are native addresses of caller-owned memory.
 */
public interface AioKernel {

    /** io_setup(nrEvents, ctxp): 0 and *ctxp set, or -errno. */
    long setup(int nrEvents, long ctxpAddress);

    /** io_destroy(ctx). */
    long destroy(long ctx);

    /** io_submit(ctx, n, iocbpp): number of iocbs queued, or -errno when the first one failed. */
    long submit(long ctx, int n, long iocbppAddress);

    /** io_getevents(ctx, min, max, events, timeout): number of events, or -errno. */
    long getEvents(long ctx, int minNr, int maxNr, long eventsAddress, long timespecAddress);
}
