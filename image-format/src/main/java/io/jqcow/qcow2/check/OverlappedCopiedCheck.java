package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import java.util.ArrayList;
import java.util.List;

/**
 * The COPIED-flag pass of a read-only check, run on a second thread while the reference walk runs.
 * It needs only the L1/L2 tables and the stored refcounts, not the walk's counts, so nothing orders
 * it after the walk except its messages: those are held back and replayed where qemu-img prints
 * them, after the refcount comparison. Only for {@link CheckMode#NONE}: a repairing pass decides
 * from the earlier stages' results whether it may write, so it stays sequential.
 */
final class OverlappedCopiedCheck {
    private record Message(boolean error, String text) {
    }

    private final List<Message> messages = new ArrayList<>();
    private final CheckCounters counters = new CheckCounters();
    private final SideTask done;

    private OverlappedCopiedCheck(CheckImage img, CheckSnapshots snaps) {
        CheckImage own = img.withLog(new CheckLog() {
            @Override
            public void line(String text) {
                synchronized (messages) {
                    messages.add(new Message(false, text));
                }
            }

            @Override
            public void error(String message) {
                synchronized (messages) {
                    messages.add(new Message(true, message));
                }
            }
        });
        // Its own StoredRefcounts: the block cache in it is not shared across threads.
        done = SideTask.start("jqcow-check-copied", () -> {
            StoredRefcounts stored = own.storedRefcounts();
            CopiedFlagCheck.run(own, counters, CheckMode.NONE, stored, new RepairOverlapCheck(own, snaps, stored));
        });
    }

    /** Starts the pass on its own thread. */
    static OverlappedCopiedCheck start(CheckImage img, CheckSnapshots snaps) {
        return new OverlappedCopiedCheck(img, snaps);
    }

    /** Waits for the pass, replays its messages to {@code log} and adds its counts to {@code res}. */
    void finish(CheckLog log, CheckCounters res) throws BlockException {
        done.join();
        synchronized (messages) {
            for (Message m : messages) {
                if (m.error()) {
                    log.error(m.text());
                } else {
                    log.line(m.text());
                }
            }
        }
        res.checkErrors += counters.checkErrors;
        res.corruptions += counters.corruptions;
    }
}
