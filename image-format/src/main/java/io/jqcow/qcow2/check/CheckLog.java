package io.jqcow.qcow2.check;

/** Where the check's per-problem lines go (qemu-img writes them to stderr). */
@FunctionalInterface
public interface CheckLog {
    void line(String text);

    CheckLog SILENT = t -> { };
}
