package io.jqcow.block;

/**
 * A driver's handle on its own tracked request, handed in by the request layer. Through it a driver
 * can make its request exclude others (the XFS post-EOF write-zeroes workaround) without global
 * locks or reaching into the layer.
 */
public interface RequestContext {

    /** Guest offset of the request as the driver sees it (after padding). */
    long offset();

    /** Length of the request as the driver sees it (after padding). */
    long bytes();

    /** Widens the overlap window so it reaches at least {@code end} (exclusive). Windows never shrink. */
    void widenTo(long end);

    /** Marks the request serialising: from now on overlapping requests conflict with it. */
    void serialise();

    /**
     * Blocks until no request that started earlier and conflicts with this one is still in flight.
     * Later requests that overlap a serialising window wait for this one instead.
     */
    void waitForConflicts() throws BlockException;

    /** A context for calls that bypass the request layer (tests, internal metadata paths). */
    RequestContext NONE = new RequestContext() {
        @Override
        public long offset() {
            return 0;
        }

        @Override
        public long bytes() {
            return 0;
        }

        @Override
        public void widenTo(long end) {
        }

        @Override
        public void serialise() {
        }

        @Override
        public void waitForConflicts() {
        }
    };
}
