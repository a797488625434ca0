package io.jqcow.tools;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * What a command may touch of the outside world: its streams and the image opener. Passed in, never
 * global, so tests run commands in-process and read what they printed.
 */
public record ToolEnv(PrintStream out, PrintStream err, InputStream in, ImageOpener opener) {

    public static ToolEnv system() {
        return new ToolEnv(System.out, System.err, System.in, ImageOpener.IMAGES);
    }

    /** Prints "jqcow: message" on stderr, the shape of every error line (qemu-img prints "qemu-img: ..."). */
    public void error(String message) {
        err.println(Main.NAME + ": " + message);
        err.flush();
    }
}
