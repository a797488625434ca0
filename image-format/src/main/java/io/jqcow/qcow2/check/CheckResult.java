package io.jqcow.qcow2.check;

/**
 * Outcome of a check, with qemu-img's counters.
 *
 * @param corruptions       corruptions remaining (after any repair)
 * @param leaks             leaked clusters remaining (after any repair)
 * @param imageEndOffset    (highest cluster with a stored or computed refcount + 1) * cluster size
 * @param totalClusters     ceil(virtual size / cluster size)
 * @param allocatedClusters allocated clusters of the active layer
 */
public record CheckResult(long checkErrors, long corruptions, long leaks, long corruptionsFixed, long leaksFixed,
                          long imageEndOffset, long totalClusters, long allocatedClusters, long fragmentedClusters,
                          long compressedClusters) {

    /** qemu-img's exit status: check errors 1, else corruptions 2, else leaks 3, else 0. */
    public int exitCode() {
        if (checkErrors > 0) {
            return 1;
        }
        if (corruptions > 0) {
            return 2;
        }
        return leaks > 0 ? 3 : 0;
    }

    public boolean anythingFixed() {
        return corruptionsFixed > 0 || leaksFixed > 0;
    }

    /** The verification pass's state with the repair pass's fixed counters (what qemu-img reports after -r). */
    public CheckResult withFixedFrom(CheckResult repair) {
        return new CheckResult(checkErrors, corruptions, leaks, repair.corruptionsFixed, repair.leaksFixed,
                imageEndOffset, totalClusters, allocatedClusters, fragmentedClusters, compressedClusters);
    }
}
