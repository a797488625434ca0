package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The IMRT against a map model: counts, widening past 65535, free-cluster search, page use. */
class ClusterCountsTest {

    @Property(tries = 200)
    void behavesLikeAMap(@ForAll @Size(max = 60) List<@LongRange(min = 0, max = 300_000) Long> clusters,
                         @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 70_000) Integer> values) {
        ClusterCounts c = new ClusterCounts(1000);
        Map<Long, Long> model = new HashMap<>();
        for (int i = 0; i < Math.min(clusters.size(), values.size()); i++) {
            c.set(clusters.get(i), values.get(i));
            model.put(clusters.get(i), (long) values.get(i));
        }
        for (Map.Entry<Long, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), c.get(e.getKey()), "cluster " + e.getKey());
            assertEquals(model.getOrDefault(e.getKey() + 1, 0L), c.get(e.getKey() + 1));
        }
        long maxKey = model.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        assertEquals(Math.max(1000, maxKey + 1), c.size());
    }

    @Property(tries = 200)
    void incrementCountsUpToTheMaximumAndWidensPast65535(
            @ForAll @Size(max = 80) List<@LongRange(min = 0, max = 140_000) Long> clusters,
            @ForAll @IntRange(min = 1, max = 3) int max, @ForAll @IntRange(min = 0, max = 65_534) int start) {
        ClusterCounts c = new ClusterCounts(100);
        Map<Long, Long> model = new HashMap<>();
        for (long k : clusters) {
            long limit = start + max; // counts start at `start` so the 65535 boundary is reached
            if (!model.containsKey(k)) {
                c.set(k, start);
                model.put(k, (long) start);
            }
            long before = model.get(k);
            boolean ok = c.increment(k, limit);
            assertEquals(before < limit, ok, "cluster " + k);
            model.put(k, ok ? before + 1 : before);
        }
        model.forEach((k, v) -> assertEquals(v, c.get(k), "cluster " + k));
    }

    @Property(tries = 100)
    void firstFreeRunFindsTheFirstGapLongEnough(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 200) Integer> used,
                                                @ForAll @IntRange(min = 1, max = 5) int n,
                                                @ForAll @IntRange(min = 0, max = 100) int from) {
        ClusterCounts c = new ClusterCounts(200);
        for (int u : used) {
            c.set(u, 1);
        }
        long got = c.firstFreeRun(from, n);
        long expect = from;
        while (true) {
            boolean ok = true;
            for (long k = expect; k < expect + n; k++) {
                if (used.contains((int) k)) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                break;
            }
            expect++;
        }
        assertEquals(expect, got);
    }

    @Test
    void onlyReferencedPagesCostMemory() {
        ClusterCounts c = new ClusterCounts(1L << 30);
        c.set(5, 1);
        c.set((1L << 29) + 3, 70_000);
        assertEquals(2, c.allocatedPages());
        assertEquals(70_000, c.get((1L << 29) + 3));
        assertEquals(0, c.get(1L << 28));
    }
}
