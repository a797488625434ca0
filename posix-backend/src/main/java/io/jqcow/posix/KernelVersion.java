package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running kernel's version as "major.minor.patch" plus whatever suffix the distribution adds
 * (e.g. "6.18.44-fc-v769", "4.18.0-553.el8_10.x86_64"). Only the numbers are compared.
 *
 * @param major first number
 * @param minor second number
 * @param patch third number, 0 when absent ("5.4")
 * @param raw   the text it was parsed from
 */
public record KernelVersion(int major, int minor, int patch, String raw) implements Comparable<KernelVersion> {

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?([^\\d].*)?$");
    private static final Comparator<KernelVersion> ORDER = Comparator.comparingInt(KernelVersion::major)
            .thenComparingInt(KernelVersion::minor).thenComparingInt(KernelVersion::patch);

    /** Parses a uname -r style string; EINVAL when it does not start with "N.N". */
    public static KernelVersion parse(String text) throws BlockException {
        if (text == null) {
            throw new BlockException(Errno.EINVAL, "No kernel version");
        }
        Matcher m = VERSION.matcher(text.trim());
        if (!m.matches()) {
            throw new BlockException(Errno.EINVAL, "Cannot parse kernel version '" + text + "'");
        }
        try {
            int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch, text.trim());
        } catch (NumberFormatException e) {
            throw new BlockException(Errno.EINVAL, "Kernel version number too large in '" + text + "'");
        }
    }

    /** The version the JVM reports for the running kernel (os.version, which is uname -r on Linux). */
    public static KernelVersion running() throws BlockException {
        return parse(System.getProperty("os.version"));
    }

    public static KernelVersion of(int major, int minor, int patch) {
        return new KernelVersion(major, minor, patch, major + "." + minor + "." + patch);
    }

    public boolean atLeast(int maj, int min, int pat) {
        return compareTo(of(maj, min, pat)) >= 0;
    }

    /**
     * Whether XFS serialises fallocate against in-flight AIO direct writes (upstream fix in 5.5:
     * "xfs: properly serialise fallocate against AIO+DIO"). The fix was backported to the 5.4
     * stable series, but we could not establish from sources at hand which 5.4.y first carried it,
     * so every 5.4.x counts as unfixed. Distribution kernels with older numbers and private
     * backports (e.g. RHEL 4.18) also count as unfixed: being wrong that way only costs speed.
     */
    public boolean hasXfsFallocateAioFix() {
        return atLeast(5, 5, 0);
    }

    @Override
    public int compareTo(KernelVersion o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return raw;
    }
}
