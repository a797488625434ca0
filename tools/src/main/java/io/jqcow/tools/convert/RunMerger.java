package io.jqcow.tools.convert;

import io.jqcow.tools.convert.WriteRun.Type;
import java.util.List;

/** Turns a chunk's consecutive blocks into write runs: neighbours of one type merge, a null type is a gap. */
final class RunMerger {
    private final List<WriteRun> runs;
    private Type type;
    private int start;

    RunMerger(List<WriteRun> runs) {
        this.runs = runs;
    }

    /** The block starting at {@code at} needs {@code t} (null: nothing). */
    void block(Type t, int at) {
        if (t != type) {
            close(at);
            type = t;
            start = at;
        }
    }

    /** Ends the current run at {@code at} (the end of the last block given). */
    void close(int at) {
        if (type != null) {
            runs.add(new WriteRun(type, start, at - start));
        }
        type = null;
    }
}
