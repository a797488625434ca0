package io.jqcow.tools.bench;

/**
 * One qemu-img bench run, already validated.
 *
 * @param count         requests in total
 * @param depth         requests kept in flight
 * @param bufferSize    bytes per request
 * @param offset        where the first request starts
 * @param step          how far each next request moves (wrapping modulo the image length)
 * @param write         write test instead of read test
 * @param pattern       byte written in write tests
 * @param flushInterval flush whenever this many requests remain (multiples), 0 = never
 * @param drain         wait for in-flight requests before each such flush
 */
public record BenchSettings(int count, int depth, int bufferSize, long offset, long step, boolean write,
                            int pattern, int flushInterval, boolean drain) {

    /** qemu-img bench's header line. */
    public String header() {
        return "Sending " + count + " " + (write ? "write" : "read") + " requests, " + bufferSize
                + " bytes each, " + depth + " in parallel (starting at offset " + offset + ", step size " + step + ")";
    }

    /** Offset of the request after one at {@code current}: step on, wrapping modulo the image length. */
    public long next(long current, long imageLength) {
        long n = current + step;
        return imageLength > 0 ? Long.remainderUnsigned(n, imageLength) : n;
    }
}
