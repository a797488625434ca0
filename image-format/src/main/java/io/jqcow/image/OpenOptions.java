package io.jqcow.image;

import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.LockMode;
import java.util.Map;

/**
 * How to open an image (qemu-img's -f, -t, -T, -U and -o/--image-opts in one value).
 *
 * @param format     "qcow2", "raw", or null to probe
 * @param readOnly   no writes at all (and no header updates)
 * @param cache      cache mode of the file node(s)
 * @param aio        I/O engine of the file node(s)
 * @param locking    image locking
 * @param forceShare -U (read-only opens only)
 * @param backing    open the backing chain (false: qemu-img's -u style, no backing)
 * @param extra      further key=value options (l2-cache-size, discard, post-eof-serialise, ...)
 */
public record OpenOptions(String format, boolean readOnly, CacheMode cache, AioMode aio, LockMode locking,
                          boolean forceShare, boolean backing, Map<String, String> extra) {

    public OpenOptions {
        extra = Map.copyOf(extra);
    }

    public static OpenOptions readWrite(String format) {
        return new OpenOptions(format, false, CacheMode.WRITEBACK, AioMode.THREADS, LockMode.AUTO, false, true,
                Map.of());
    }

    public static OpenOptions readOnly(String format) {
        return new OpenOptions(format, true, CacheMode.WRITEBACK, AioMode.THREADS, LockMode.AUTO, false, true,
                Map.of());
    }

    public OpenOptions withCache(CacheMode c) {
        return new OpenOptions(format, readOnly, c, aio, locking, forceShare, backing, extra);
    }

    public OpenOptions withAio(AioMode a) {
        return new OpenOptions(format, readOnly, cache, a, locking, forceShare, backing, extra);
    }

    public OpenOptions withForceShare(boolean f) {
        return new OpenOptions(format, readOnly, cache, aio, locking, f, backing, extra);
    }

    public OpenOptions withExtra(Map<String, String> e) {
        return new OpenOptions(format, readOnly, cache, aio, locking, forceShare, backing, e);
    }

    public OpenOptions withBacking(boolean b) {
        return new OpenOptions(format, readOnly, cache, aio, locking, forceShare, b, extra);
    }
}
