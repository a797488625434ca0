package io.jqcow.posix.aio;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests waiting for io_submit, and the rules for one submission round: take up to a batch from
 * the head, submit, and put back whatever the kernel did not take — at the head, in order, so a
 * request is never dropped or overtaken. Thread-safe: request threads add, one submitter submits.
 *
 * @param <T> the request type
 */
final class SubmissionQueue<T> {

    /** Hands a batch to the kernel: returns how many it queued, or -errno when it queued none. */
    @FunctionalInterface
    interface BatchSubmitter<T> {
        long submit(List<T> batch);
    }

    /** Told when the kernel rejected a request outright (io_submit failed on it with -errno). */
    @FunctionalInterface
    interface Rejecter<T> {
        void reject(T request, int errno);
    }

    /** What one round did. */
    enum Outcome { EMPTY, SUBMITTED, BUSY }

    /**
     * @param outcome   EMPTY (nothing to do), SUBMITTED (progress made), BUSY (EAGAIN: retry later)
     * @param submitted requests now owned by the kernel
     */
    record Round(Outcome outcome, int submitted) {
    }

    static final int EAGAIN = 11;

    private final ArrayDeque<T> pending = new ArrayDeque<>();
    private final int maxBatch;

    SubmissionQueue(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be at least 1: " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }

    synchronized void add(T request) {
        pending.addLast(request);
    }

    synchronized int size() {
        return pending.size();
    }

    synchronized boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Removes every waiting request (for failing them at shutdown). */
    synchronized List<T> drainAll() {
        List<T> all = new ArrayList<>(pending);
        pending.clear();
        return all;
    }

    /**
     * One io_submit round of at most min(maxBatch, room) requests.
     *
     * @param room free slots in the kernel context (submitting more would only earn EAGAIN)
     */
    Round submitOnce(BatchSubmitter<T> submitter, Rejecter<T> rejecter, int room) {
        List<T> batch = take(Math.min(maxBatch, room));
        if (batch.isEmpty()) {
            return new Round(Outcome.EMPTY, 0);
        }
        long r = submitter.submit(batch);
        if (r == -EAGAIN || r == 0) {
            putBack(batch, 0);
            return new Round(Outcome.BUSY, 0);
        }
        if (r < 0) {
            // io_submit reports an error only when the first iocb failed; the rest were not looked at.
            rejecter.reject(batch.get(0), (int) -r);
            putBack(batch, 1);
            return new Round(Outcome.SUBMITTED, 0);
        }
        int n = (int) Math.min(r, batch.size());
        putBack(batch, n);
        return new Round(Outcome.SUBMITTED, n);
    }

    private synchronized List<T> take(int max) {
        List<T> batch = new ArrayList<>(Math.min(max, pending.size()));
        while (batch.size() < max && !pending.isEmpty()) {
            batch.add(pending.pollFirst());
        }
        return batch;
    }

    /** Returns batch[from..] to the head of the queue, keeping their order. */
    private synchronized void putBack(List<T> batch, int from) {
        for (int i = batch.size() - 1; i >= from; i--) {
            pending.addFirst(batch.get(i));
        }
    }
}
