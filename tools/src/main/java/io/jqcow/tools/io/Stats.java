package io.jqcow.tools.io;

import io.jqcow.tools.cli.CFormat;
import io.jqcow.tools.cli.ElapsedTime;
import io.jqcow.tools.cli.HumanSize;

/** qemu-io's two report lines after a request: what was done, then throughput. */
final class Stats {
    private Stats() {
    }

    /** "read 512/512 bytes at offset 512" (verb: read, wrote, discard). */
    static String summary(String verb, long bytes, long offset) {
        return verb + " " + bytes + "/" + bytes + " bytes at offset " + offset;
    }

    /** "512 bytes, 1 ops; 00.00 sec (5.540 MiB/sec and 11346.1015 ops/sec)". */
    static String throughput(long bytes, int ops, long nanos) {
        double seconds = Math.max(nanos, 1) / 1e9;
        return HumanSize.of(bytes) + ", " + ops + " ops; " + ElapsedTime.of(nanos) + " ("
                + HumanSize.of(bytes / seconds) + "/sec and " + CFormat.fixed(ops / seconds, 4) + " ops/sec)";
    }
}
