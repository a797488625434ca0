package io.jqcow.qcow2.check;

/** Where the check's per-problem lines go (qemu-img writes them to stderr). */
@FunctionalInterface
public interface CheckLog {
    void line(String text);

    /** An error of the layer below (qemu-img prints these as "qemu-img: message"); a plain line by default. */
    default void error(String message) {
        line(message);
    }

    CheckLog SILENT = t -> { };
}
