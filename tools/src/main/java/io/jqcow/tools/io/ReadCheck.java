package io.jqcow.tools.io;

/**
 * What happens after a read returns: the optional pattern check, the optional hex dump and the
 * report lines, in qemu-io's order. Shared by read, readv and aio_read.
 *
 * @param pattern        expected byte, or -1 for no check
 * @param patternOffset  where in the data the check starts
 * @param patternCount   how many bytes it covers
 * @param machine        -C: one comma-separated statistics line
 */
record ReadCheck(int pattern, long patternOffset, long patternCount, boolean quiet, boolean verbose,
                 boolean machine) {

    /** Prints everything for data read at offset; returns false when the pattern did not match. */
    boolean finish(IoSession session, long offset, byte[] data, long nanos) {
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        if (pattern >= 0) {
            for (long i = patternOffset; i < patternOffset + patternCount; i++) {
                if ((data[(int) i] & 0xff) != pattern) {
                    ok = false;
                    break;
                }
            }
            if (!ok) {
                out.append("Pattern verification failed at offset ").append(offset + patternOffset)
                        .append(", ").append(patternCount).append(" bytes\n");
            }
        }
        if (!quiet) {
            if (verbose) {
                out.append(HexDump.of(data, offset));
            }
            out.append(Stats.report("read", data.length, offset, nanos, machine));
        }
        session.print(out.toString());
        return ok;
    }
}
