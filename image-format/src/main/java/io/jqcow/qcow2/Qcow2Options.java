package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Locale;
import java.util.Map;

/**
 * qcow2 runtime options parsed from the open's key=value extras.
 *
 * @param l2CacheSize        bytes of L2 cache, -1 = QEMU's default (enough for the disk, capped at 32 MiB)
 * @param l2CacheEntrySize   slice size in bytes, -1 = cluster size
 * @param refcountCacheSize  bytes of refcount-block cache, -1 = 4 clusters
 * @param cacheCleanInterval seconds after which unused clean cache entries are dropped, 0 = never
 * @param discardUnmap       discard requests deallocate clusters (discard=unmap) or do nothing (ignore)
 * @param passDiscard        freed host clusters are discarded in the file too
 * @param overlapMask        overlap-check mask (default cached)
 * @param allocZeroWrites    auto, on or off (handle_alloc_space)
 * @param dataFile           data-file name override, or null
 * @param lazyRefcounts      lazy-refcounts option: null = follow the image's compatible bit
 * @param snapshotId         snapshot.id: read this internal snapshot instead of the active layer
 *                           (read-only opens; qemu-img's -l), or null
 * @param snapshotName       snapshot.name, the same by name (with an id as well, both must match)
 */
public record Qcow2Options(long l2CacheSize, int l2CacheEntrySize, long refcountCacheSize, long cacheCleanInterval,
                           boolean discardUnmap, boolean passDiscard, int overlapMask, String allocZeroWrites,
                           String dataFile, Boolean lazyRefcounts, String snapshotId, String snapshotName) {

    public static final long DEFAULT_L2_CACHE_MAX = 32L << 20;

    public static Qcow2Options defaults() {
        return new Qcow2Options(-1, -1, -1, 600, true, true, OverlapChecker.CACHED, "auto", null, null, null, null);
    }

    /** Whether the open reads an internal snapshot (snapshot.id or snapshot.name given). */
    public boolean loadsSnapshot() {
        return snapshotId != null || snapshotName != null;
    }

    public static Qcow2Options parse(Map<String, String> extra) throws BlockException {
        Qcow2Options d = defaults();
        long l2 = extra.containsKey("l2-cache-size") ? parseSize("l2-cache-size", extra.get("l2-cache-size")) : d.l2CacheSize;
        int entry = extra.containsKey("l2-cache-entry-size")
                ? (int) parseSize("l2-cache-entry-size", extra.get("l2-cache-entry-size")) : d.l2CacheEntrySize;
        long rc = extra.containsKey("refcount-cache-size")
                ? parseSize("refcount-cache-size", extra.get("refcount-cache-size")) : d.refcountCacheSize;
        if (extra.containsKey("cache-size")) {
            long total = parseSize("cache-size", extra.get("cache-size"));
            if (!extra.containsKey("l2-cache-size")) {
                l2 = extra.containsKey("refcount-cache-size") ? Math.max(0, total - rc) : total;
            }
        }
        long clean = d.cacheCleanInterval;
        if (extra.containsKey("cache-clean-interval")) {
            try {
                clean = Long.parseLong(extra.get("cache-clean-interval"));
            } catch (NumberFormatException e) {
                clean = -1;
            }
            if (clean < 0 || clean > Integer.MAX_VALUE) {
                throw new BlockException(Errno.EINVAL, "Cache clean interval too big");
            }
        }
        boolean unmap = d.discardUnmap;
        if (extra.containsKey("discard")) {
            String v = extra.get("discard").toLowerCase(Locale.ROOT);
            switch (v) {
                case "unmap", "on" -> unmap = true;
                case "ignore", "off" -> unmap = false;
                default -> throw new BlockException(Errno.EINVAL, "Invalid discard option: " + v);
            }
        }
        boolean pass = !"off".equals(extra.getOrDefault("pass-discard-request", "on"));
        int overlap = extra.containsKey("overlap-check")
                ? OverlapChecker.parseTemplate(extra.get("overlap-check")) : d.overlapMask;
        String azw = extra.getOrDefault("alloc-zero-writes", "auto").toLowerCase(Locale.ROOT);
        if (!azw.equals("auto") && !azw.equals("on") && !azw.equals("off")) {
            throw new BlockException(Errno.EINVAL, "Invalid alloc-zero-writes option: " + azw);
        }
        Boolean lazy = null;
        if (extra.containsKey("lazy-refcounts")) {
            String v = extra.get("lazy-refcounts");
            if (!v.equals("on") && !v.equals("off")) {
                throw new BlockException(Errno.EINVAL, "Parameter 'lazy-refcounts' expects 'on' or 'off'");
            }
            lazy = v.equals("on");
        }
        return new Qcow2Options(l2, entry, rc, clean, unmap, pass, overlap, azw, extra.get("data-file"), lazy,
                extra.get("snapshot.id"), extra.get("snapshot.name"));
    }

    /** Parses "64k", "1M", "2G" or plain bytes. */
    public static long parseSize(String key, String v) throws BlockException {
        String s = v.trim();
        long mult = 1;
        if (!s.isEmpty()) {
            char c = Character.toLowerCase(s.charAt(s.length() - 1));
            int shift = switch (c) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                case 'p' -> 50;
                case 'e' -> 60;
                case 'b' -> 0;
                default -> -1;
            };
            if (shift >= 0) {
                mult = 1L << shift;
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            double d = Double.parseDouble(s);
            if (d < 0 || d * mult > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (d * mult);
        } catch (NumberFormatException e) {
            throw new BlockException(Errno.EINVAL, "Invalid size for " + key + ": '" + v + "'");
        }
    }
}
