package io.jqcow.tools.cli;

import java.io.PrintStream;

/**
 * qemu-img -p's progress line: "    (42.00/100%)" followed by a carriage return, redrawn when the
 * value has moved by at least {@code minStep} percent, and a newline when done.
 */
public final class ProgressPrinter {
    private final PrintStream out;
    private final double minStep;
    private double lastPrinted = Double.NEGATIVE_INFINITY;

    public ProgressPrinter(PrintStream out, double minStep) {
        this.out = out;
        this.minStep = minStep;
    }

    /** qemu-img's default: a redraw per whole percent. */
    public ProgressPrinter(PrintStream out) {
        this(out, 1.0);
    }

    public synchronized void update(double percent) {
        double p = Math.max(0, Math.min(100, percent));
        if (p - lastPrinted >= minStep || (p == 100 && lastPrinted < 100)) {
            draw(p);
        }
    }

    /** Draws 100% and ends the line. */
    public synchronized void finish() {
        draw(100);
        out.print('\n');
        out.flush();
    }

    private void draw(double p) {
        lastPrinted = p;
        out.print("    (" + CFormat.fixed(p, 2) + "/100%)\r");
        out.flush();
    }
}
