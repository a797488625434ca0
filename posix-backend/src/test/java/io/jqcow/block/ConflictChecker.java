package io.jqcow.block;

import java.util.ArrayList;
import java.util.List;

/** Records which tracked requests are doing I/O and notes any two conflicting ones at once. */
final class ConflictChecker {
    private final List<TrackedRequest> active = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int overlapsSeen;

    synchronized void enter(TrackedRequest r) {
        for (TrackedRequest o : active) {
            if (o != r && r.conflictsWith(o)) {
                violations.add(r + " ran together with " + o);
            }
            if (o != r && r.overlaps(o)) {
                overlapsSeen++;
            }
        }
        active.add(r);
    }

    synchronized void exit(TrackedRequest r) {
        active.remove(r);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** How often overlapping (non-conflicting) requests did run together: shows the test had teeth. */
    synchronized int overlapsSeen() {
        return overlapsSeen;
    }
}
