package io.jqcow.qcow2.check;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory refcount table (IMRT): a computed reference count per host cluster.
 *
 * <p>Memory bound: counts live in pages of {@value #PAGE} clusters that are allocated only when a
 * cluster in them is referenced, as {@code short[]} (2 bytes per cluster) and widened to
 * {@code int[]} only for a page where some count passes 65535. So a file of N clusters costs at most
 * 2N bytes (4N for pages with huge counts), and holes in sparse files cost nothing beyond a pointer
 * per page. Counts saturate at {@link Integer#MAX_VALUE}; callers compare against the refcount max first.
 */
final class ClusterCounts {
    static final int PAGE_BITS = 16;
    static final int PAGE = 1 << PAGE_BITS;
    private static final int MASK = PAGE - 1;

    private final List<Object> pages = new ArrayList<>();
    private long size;

    ClusterCounts(long clusters) {
        grow(clusters);
    }

    /** Number of clusters the table covers (the file's clusters, more if references went beyond). */
    long size() {
        return size;
    }

    void grow(long clusters) {
        size = Math.max(size, clusters);
        long needPages = (size + MASK) >>> PAGE_BITS;
        while (pages.size() < needPages) {
            pages.add(null);
        }
    }

    long get(long cluster) {
        if (cluster >= size) {
            return 0;
        }
        Object p = pages.get((int) (cluster >>> PAGE_BITS));
        int i = (int) (cluster & MASK);
        if (p == null) {
            return 0;
        }
        return p instanceof short[] s ? s[i] & 0xFFFF : ((int[]) p)[i] & 0xFFFFFFFFL;
    }

    /**
     * Adds one to a cluster's count unless it is already at {@code max}; false when it was (an
     * overflow). The common case, a short page below 65535, touches one array slot.
     */
    boolean increment(long cluster, long max) {
        if (cluster < size) {
            Object p = pages.get((int) (cluster >>> PAGE_BITS));
            if (p instanceof short[] s) {
                int i = (int) (cluster & MASK);
                int n = s[i] & 0xFFFF;
                if (n < 0xFFFF && n < max) {
                    s[i] = (short) (n + 1);
                    return true;
                }
            }
        }
        long n = get(cluster);
        if (n >= max) {
            return false;
        }
        set(cluster, n + 1);
        return true;
    }

    void set(long cluster, long value) {
        if (cluster >= size) {
            grow(cluster + 1);
        }
        int pi = (int) (cluster >>> PAGE_BITS);
        int i = (int) (cluster & MASK);
        Object p = pages.get(pi);
        if (p == null) {
            if (value == 0) {
                return;
            }
            p = new short[PAGE];
            pages.set(pi, p);
        }
        long v = Math.min(value, Integer.MAX_VALUE);
        if (p instanceof short[] s) {
            if (v <= 0xFFFF) {
                s[i] = (short) v;
                return;
            }
            int[] wide = new int[PAGE];
            for (int k = 0; k < PAGE; k++) {
                wide[k] = s[k] & 0xFFFF;
            }
            pages.set(pi, wide);
            p = wide;
        }
        ((int[]) p)[i] = (int) v;
    }

    /** First cluster at or after {@code from} whose count is 0 (possibly past the end). */
    long firstFree(long from) {
        long c = from;
        while (c < size) {
            Object p = pages.get((int) (c >>> PAGE_BITS));
            if (p == null || get(c) == 0) {
                return c;
            }
            c++;
        }
        return c;
    }

    /** First cluster at or after {@code from} starting {@code n} consecutive clusters with count 0. */
    long firstFreeRun(long from, long n) {
        long start = firstFree(from);
        long c = start;
        while (c - start < n) {
            if (get(c) != 0) {
                start = firstFree(c + 1);
                c = start;
            } else {
                c++;
            }
        }
        return start;
    }

    /** Pages holding counts (each {@value #PAGE} clusters, 2 or 4 bytes per cluster): the memory actually used. */
    int allocatedPages() {
        return (int) pages.stream().filter(p -> p != null).count();
    }
}
