package io.jqcow.qcow2;

import java.util.HashSet;
import java.util.Set;

/**
 * Guest clusters whose new host cluster is being filled but not yet linked into L2. A second writer
 * to such a cluster waits for the first (under the metadata lock) instead of allocating again.
 */
final class InflightAllocations {
    private final Set<Long> clusters = new HashSet<>();

    boolean anyBusy(long firstCluster, long count) {
        for (long c = firstCluster; c < firstCluster + count; c++) {
            if (clusters.contains(c)) {
                return true;
            }
        }
        return false;
    }

    boolean busy(long cluster) {
        return clusters.contains(cluster);
    }

    void claim(long firstCluster, long count) {
        for (long c = firstCluster; c < firstCluster + count; c++) {
            clusters.add(c);
        }
    }

    void release(long firstCluster, long count) {
        for (long c = firstCluster; c < firstCluster + count; c++) {
            clusters.remove(c);
        }
    }
}
