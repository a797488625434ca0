package io.jqcow.tools.convert;

/**
 * Keeps writes in target order without a thread hand-off per chunk: a chunk whose data is ready
 * is parked until its turn, and whichever thread finishes the write before it goes on to write
 * the parked chunks that are next in line. At most {@code window} chunks are in flight, so a ring
 * indexed by sequence number holds the parked ones.
 */
final class WriteSequencer {
    private final Runnable[] parked;
    private long next;
    private boolean draining;

    WriteSequencer(int window) {
        parked = new Runnable[window];
    }

    /** Runs write now if chunk seq is next (and no other thread is writing), else parks it. */
    void submit(long seq, Runnable write) {
        synchronized (this) {
            parked[slot(seq)] = write;
            if (draining || seq != next) {
                return;
            }
            draining = true;
        }
        drain();
    }

    private void drain() {
        while (true) {
            Runnable w;
            synchronized (this) {
                w = parked[slot(next)];
                if (w == null) {
                    draining = false;
                    return;
                }
                parked[slot(next)] = null;
                next++;
            }
            w.run();
        }
    }

    private int slot(long seq) {
        return (int) (seq % parked.length);
    }
}
