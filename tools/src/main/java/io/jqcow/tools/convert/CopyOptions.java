package io.jqcow.tools.convert;

/**
 * How chunks are copied.
 *
 * @param workers      chunks in flight at once (-m)
 * @param inOrder      writes strictly in target order (no -W)
 * @param sparse       zero detection granularity in bytes (-S), 0 = none and fully allocate
 * @param compress     write data clusters compressed (-c)
 * @param zeroInit     the target reads as zeroes where nothing is written (fresh image or
 *                     --target-is-zero), so zero ranges need no request
 * @param clusterSize  the target's cluster size (granularity of compression and backing compare)
 */
record CopyOptions(int workers, boolean inOrder, long sparse, boolean compress, boolean zeroInit, int clusterSize) {
}
