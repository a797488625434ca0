package io.jqcow.qcow2;

import io.jqcow.block.BlockException;

/** Metadata preallocation: maps unmapped guest clusters of a range to fresh host clusters. */
final class Preallocator {
    private Preallocator() {
    }

    /**
     * For each L2 table in turn: the table first, then host clusters for its still-unmapped guest
     * clusters in [from, to) (qemu-img's order). With an external data file the mapping is 1:1.
     * Metadata lock held.
     */
    static void mapClusters(Qcow2State s, ClusterMapper mapper, L2Tables tables, long from, long to)
            throws BlockException {
        Geometry g = s.geometry();
        long clusters = (to + g.clusterMask()) >>> g.clusterBits();
        long maxRun = Math.max(1, Math.min(1024, (1L << g.refblockBits()) / 2));
        long c = from >>> g.clusterBits();
        while (c < clusters) {
            long guest = c << g.clusterBits();
            tables.ensureWritable(guest);
            long tableEnd = Math.min(clusters, ((guest / g.l2Coverage()) + 1) * (g.l2Coverage() >>> g.clusterBits()));
            while (c < tableEnd) {
                long n = 0;
                while (c + n < tableEnd && n < maxRun && unmapped(mapper, g, (c + n) << g.clusterBits())) {
                    n++;
                }
                if (n == 0) {
                    c++;
                    continue;
                }
                long host = s.dataFile != null ? c << g.clusterBits() : s.allocator().allocate(n);
                s.l2Cache().dependOn(s.refcounts().cache());
                for (long i = 0; i < n; i++) {
                    L2Entry old = mapper.entry((c + i) << g.clusterBits());
                    mapper.setEntry((c + i) << g.clusterBits(),
                            new L2Entry((host + (i << g.clusterBits())) | L2Entry.COPIED, old.bitmap() & ~0xFFFFFFFFL));
                }
                c += n;
            }
        }
    }

    private static boolean unmapped(ClusterMapper mapper, Geometry g, long guest) throws BlockException {
        L2Entry e = mapper.entry(guest);
        return !e.isCompressed() && e.hostOffset() == 0 && !(g.externalData() && e.isCopied());
    }
}
