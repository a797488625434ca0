package io.jqcow.qcow2.check;

/**
 * The counters one check pass accumulates (qemu-img's names in comments). Mutable on purpose: every
 * stage of a pass adds to the same set; {@link #snapshot()} freezes it into a {@link CheckResult}.
 */
final class CheckCounters {
    long checkErrors;
    long corruptions;
    long leaks;
    long corruptionsFixed;
    long leaksFixed;
    long imageEndOffset;
    long totalClusters;
    long allocatedClusters;
    long fragmentedClusters;
    long compressedClusters;

    CheckCounters copy() {
        CheckCounters c = new CheckCounters();
        c.checkErrors = checkErrors;
        c.corruptions = corruptions;
        c.leaks = leaks;
        c.corruptionsFixed = corruptionsFixed;
        c.leaksFixed = leaksFixed;
        c.imageEndOffset = imageEndOffset;
        c.totalClusters = totalClusters;
        c.allocatedClusters = allocatedClusters;
        c.fragmentedClusters = fragmentedClusters;
        c.compressedClusters = compressedClusters;
        return c;
    }

    /** Takes the error, leak and fixed counters of {@code o}, keeping this pass's statistics. */
    void restoreErrorsFrom(CheckCounters o) {
        checkErrors = o.checkErrors;
        corruptions = o.corruptions;
        leaks = o.leaks;
        corruptionsFixed = o.corruptionsFixed;
        leaksFixed = o.leaksFixed;
    }

    CheckResult snapshot() {
        return new CheckResult(checkErrors, corruptions, leaks, corruptionsFixed, leaksFixed, imageEndOffset,
                totalClusters, allocatedClusters, fragmentedClusters, compressedClusters);
    }
}
