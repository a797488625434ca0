package io.jqcow.block;

/**
 * One in-flight request of a node, as {@link TrackedRequests} sees it. It is also the
 * {@link RequestContext} the request layer hands to the driver, so a driver can widen or serialise
 * its own request. The window and flags change only under the owner's lock; they are volatile so
 * diagnostics and tests can read them without it.
 */
public final class TrackedRequest implements RequestContext {
    private final TrackedRequests owner;
    private final long sequence;
    private final RequestType type;
    private final long offset;
    private final long bytes;
    private volatile long windowStart;
    private volatile long windowEnd;
    private volatile boolean serialising;
    private volatile boolean waiting;
    private volatile boolean finished;

    TrackedRequest(TrackedRequests owner, long sequence, RequestType type, long offset, long bytes,
                   boolean serialising) {
        this.owner = owner;
        this.sequence = sequence;
        this.type = type;
        this.offset = offset;
        this.bytes = bytes;
        this.windowStart = offset;
        this.windowEnd = endOf(offset, bytes);
        this.serialising = serialising;
    }

    /** offset + bytes, saturated so a window reaching "to the end" never wraps around. */
    static long endOf(long offset, long bytes) {
        long end = offset + bytes;
        return end < offset ? Long.MAX_VALUE : end;
    }

    /** Registration order within the node; smaller means it began earlier. */
    public long sequence() {
        return sequence;
    }

    public RequestType type() {
        return type;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /** Start of the overlap window (inclusive). */
    public long windowStart() {
        return windowStart;
    }

    /** End of the overlap window (exclusive); only ever grows. */
    public long windowEnd() {
        return windowEnd;
    }

    public boolean isSerialising() {
        return serialising;
    }

    /** True while the request is inside {@link #waitForConflicts()}. */
    public boolean isWaiting() {
        return waiting;
    }

    public boolean isFinished() {
        return finished;
    }

    /** True when the two windows share at least one byte. */
    public boolean overlaps(TrackedRequest other) {
        return windowStart < other.windowEnd && other.windowStart < windowEnd;
    }

    /** True when the two requests may not run at the same time: overlapping, one serialising. */
    public boolean conflictsWith(TrackedRequest other) {
        return (serialising || other.serialising) && overlaps(other);
    }

    @Override
    public void widenTo(long end) {
        owner.widen(this, end);
    }

    @Override
    public void serialise() {
        owner.serialise(this);
    }

    @Override
    public void waitForConflicts() throws BlockException {
        owner.waitForConflicts(this);
    }

    // Mutators for the owner, always called under its lock.

    void setWindowEnd(long end) {
        windowEnd = end;
    }

    void setSerialising() {
        serialising = true;
    }

    void setWaiting(boolean value) {
        waiting = value;
    }

    void setFinished() {
        finished = true;
    }

    @Override
    public String toString() {
        return type + "#" + sequence + "[" + offset + "+" + bytes + " window " + windowStart + ".."
                + windowEnd + (serialising ? " serialising" : "") + (waiting ? " waiting" : "") + "]";
    }
}
