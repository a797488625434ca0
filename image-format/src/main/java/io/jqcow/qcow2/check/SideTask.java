package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A part of a check that runs on a second thread beside the main one (a check is mostly CPU work
 * and a machine has more than one core). {@link #join} waits and rethrows what the part threw.
 */
final class SideTask {
    @FunctionalInterface
    interface Body {
        void run() throws BlockException;
    }

    private final CompletableFuture<Void> done;

    private SideTask(String threadName, Body body) {
        done = CompletableFuture.runAsync(() -> {
            try {
                body.run();
            } catch (BlockException e) {
                throw new CompletionException(e);
            }
        }, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            t.start();
        });
    }

    /** Starts {@code body} on a new daemon thread. */
    static SideTask start(String threadName, Body body) {
        return new SideTask(threadName, body);
    }

    /** Waits for the task; its BlockException or unchecked exception is thrown here. */
    void join() throws BlockException {
        try {
            done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof BlockException be) {
                throw be;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
