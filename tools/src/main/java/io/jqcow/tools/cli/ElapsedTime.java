package io.jqcow.tools.cli;

import java.util.Locale;

/** Elapsed time as qemu-io prints it: "00.00 sec" under a minute, h:mm:ss.cc beyond. */
public final class ElapsedTime {
    private ElapsedTime() {
    }

    /** -C's fixed form: always h:mm:ss.cc. */
    public static String fixed(long nanos) {
        long centis = nanos / 10_000_000L;
        long totalSeconds = centis / 100;
        return String.format(Locale.ROOT, "%d:%02d:%02d.%02d", totalSeconds / 3600, (totalSeconds / 60) % 60,
                totalSeconds % 60, centis % 100);
    }

    public static String of(long nanos) {
        long centis = nanos / 10_000_000L;
        long cs = centis % 100;
        long totalSeconds = centis / 100;
        long s = totalSeconds % 60;
        long m = (totalSeconds / 60) % 60;
        long h = totalSeconds / 3600;
        if (h > 0) {
            return String.format(Locale.ROOT, "%d:%02d:%02d.%02d", h, m, s, cs);
        }
        if (m > 0) {
            return String.format(Locale.ROOT, "%02d:%02d.%02d", m, s, cs);
        }
        return String.format(Locale.ROOT, "%02d.%02d sec", s, cs);
    }
}
