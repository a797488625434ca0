package io.jqcow.qcow2.check;

/** What a check may repair: nothing, leaks (and COPIED flags when nothing else is wrong), or everything. */
public enum CheckMode {
    NONE, LEAKS, ALL;

    public boolean fixesLeaks() {
        return this != NONE;
    }

    public boolean fixesErrors() {
        return this == ALL;
    }
}
