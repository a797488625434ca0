package io.jqcow.tools.io;

import io.jqcow.tools.cli.CFormat;
import io.jqcow.tools.cli.ElapsedTime;
import io.jqcow.tools.cli.HumanSize;

/** qemu-io's two report lines after a request: what was done, then throughput. */
final class Stats {
    private Stats() {
    }

    /**
     * Both report lines, or with -C (machine) the single "bytes,ops,h:mm:ss.cc,bytes/s,ops/s" line.
     */
    static String report(String verb, long bytes, long offset, long nanos, boolean machine) {
        if (machine) {
            double seconds = Math.max(nanos, 1) / 1e9;
            return bytes + ",1," + ElapsedTime.fixed(nanos) + "," + CFormat.fixed(bytes / seconds, 3) + ","
                    + CFormat.fixed(1 / seconds, 3) + "\n";
        }
        return summary(verb, bytes, offset) + "\n" + throughput(bytes, 1, nanos) + "\n";
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
