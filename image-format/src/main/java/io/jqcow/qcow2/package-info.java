/**
 * The qcow2 format driver.
 *
 * <p>Entry points: {@link io.jqcow.qcow2.Qcow2Driver#open} (a {@link io.jqcow.block.BlockDriver}
 * over a file node; wrap it in the request layer), {@link io.jqcow.qcow2.Qcow2Create#create},
 * {@link io.jqcow.qcow2.check.Qcow2Check} (qemu-img check, also run with
 * {@code -r all} on a writable open of a dirty image), and on an open driver {@code writeCompressed},
 * snapshot create/apply/delete, {@code changeBackingFile} and {@code info()}.
 *
 * <p>Concurrency: one metadata lock per image (held for mapping, allocation and metadata I/O, never
 * for guest data I/O). Allocations of one guest cluster are serialised through in-flight claims;
 * different clusters allocate in parallel.
 *
 * <p>Crash safety: refcount blocks are durable before L2 entries that use them, L2 tables before
 * the L1 entries pointing at them, and freed clusters are neither reused nor discarded in the file
 * until the metadata that freed them is durable; a new cluster's data is durable before an L2 entry
 * points at it past the durable end of the file. Dirty images are repaired on a writable open;
 * with lazy refcounts in use the image is marked dirty instead of
 * ordering refcount updates before L2 updates, and marked clean on close.
 */
package io.jqcow.qcow2;
