package io.jqcow.tools.convert;

import java.util.Set;

/** The -o keys each target format knows, checked before anything is created. */
final class CreateOptionKeys {
    private static final Set<String> RAW = Set.of("preallocation", "size");
    private static final Set<String> QCOW2 = Set.of("size", "compat", "cluster_size", "refcount_bits",
            "lazy_refcounts", "preallocation", "backing_file", "backing_fmt", "extended_l2", "compression_type",
            "data_file", "data_file_raw", "encryption", "encrypt.format");

    private CreateOptionKeys() {
    }

    static boolean accepts(String format, String key) {
        return (format.equals("qcow2") ? QCOW2 : RAW).contains(key);
    }
}
