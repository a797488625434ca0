/**
 * aio=native: linux-aio reached through libc syscall(2), without libaio.
 *
 * <p>{@link io.jqcow.posix.aio.LinuxAioHostFile} decorates a {@link io.jqcow.posix.HostFile}: its
 * preadv/pwritev become IOCB_CMD_PREADV/PWRITEV requests on a per-file-node
 * {@link io.jqcow.posix.aio.LinuxAioContext}; the other calls go to the delegate. Request threads
 * block until completion, so request code above stays blocking-style. Inside the context a
 * submitter thread batches queued requests into io_submit calls ({@link
 * io.jqcow.posix.aio.SubmissionQueue} owns the requeue rules for EAGAIN and partial submits) and a
 * reaper thread turns io_events into results ({@link io.jqcow.posix.aio.AioResults}: -errno to
 * its kind, short writes to ENOSPC). {@link io.jqcow.posix.aio.AioKernel} is the syscall seam, so
 * tests can inject the failures the kernel will not produce on demand.
 */
package io.jqcow.posix.aio;
