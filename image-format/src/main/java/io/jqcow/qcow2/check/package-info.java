/**
 * qemu-img check for qcow2: {@link io.jqcow.qcow2.check.Qcow2Check} over the image's file node.
 *
 * <p>One pass: read the snapshot table, build the in-memory refcount table (IMRT) from every
 * reference (header, active and snapshot L1/L2 trees, compressed data per touched host cluster,
 * snapshot table, refcount table and blocks, FDE area, bitmap directory, tables and data), compare it
 * with the stored refcounts, rebuild or repair when asked, check OFLAG_COPIED in the active tree,
 * rewrite a broken snapshot table, and clear the dirty and corrupt bits after a clean repair. Messages,
 * counters, exit codes and repaired bytes follow qemu-img 7.2 (verified by twin-image tests).
 *
 * <p>Memory: the IMRT costs 2 bytes per host cluster in 64 Ki-cluster pages allocated only where
 * something is referenced (4 bytes for a page holding a count above 65535); L2 tables are streamed one
 * at a time; the refcount table (at most 8 MiB) and one L1 table at a time (at most 32 MiB) are held.
 *
 * <p>Deliberate differences from qemu-img 7.2: a failed {@code -r leaks} on a dirty image leaves it
 * dirty (qemu-img clears the bit on close although the refcounts stay wrong); a refcount table entry
 * with reserved bits or an unaligned block is repaired by the rebuild (qemu-img's own rebuild trips its
 * overlap check there, fails and marks the image corrupt).
 */
package io.jqcow.qcow2.check;
