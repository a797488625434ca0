package io.jqcow.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of bin/jqcow: a qemu-img-compatible command line. */
@Command(name = "jqcow", mixinStandardHelpOptions = true, version = "jqcow 0.1.0",
        description = "Java qcow2/raw disk-image tool, compatible with qemu-img.")
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
