package io.jqcow.image;

import java.util.List;

/**
 * One option qemu-img create -o accepts, with the type and help text qemu-img prints for "-o help".
 *
 * @param type how the value is parsed: "str", "size", "num" or "bool (on/off)"
 */
public record CreateOption(String name, String type, String help) {

    public static final String STR = "str";
    public static final String SIZE = "size";
    public static final String NUM = "num";
    public static final String BOOL = "bool (on/off)";

    /** The qcow2 format's own options, in qemu-img's help order (alphabetical). */
    public static final List<CreateOption> QCOW2 = List.of(
            new CreateOption("backing_file", STR, "File name of a base image"),
            new CreateOption("backing_fmt", STR, "Image format of the base image"),
            new CreateOption("cluster_size", SIZE, "qcow2 cluster size"),
            new CreateOption("compat", STR, "Compatibility level (v2 [0.10] or v3 [1.1])"),
            new CreateOption("compression_type", STR, "Compression method used for image cluster compression"),
            new CreateOption("data_file", STR, "File name of an external data file"),
            new CreateOption("data_file_raw", BOOL, "The external data file must stay valid as a raw image"),
            new CreateOption("encrypt.cipher-alg", STR, "Name of encryption cipher algorithm"),
            new CreateOption("encrypt.cipher-mode", STR, "Name of encryption cipher mode"),
            new CreateOption("encrypt.format", STR, "Encrypt the image, format choices: 'aes', 'luks'"),
            new CreateOption("encrypt.hash-alg", STR, "Name of encryption hash algorithm"),
            new CreateOption("encrypt.iter-time", NUM, "Time to spend in PBKDF in milliseconds"),
            new CreateOption("encrypt.ivgen-alg", STR, "Name of IV generator algorithm"),
            new CreateOption("encrypt.ivgen-hash-alg", STR, "Name of IV generator hash algorithm"),
            new CreateOption("encrypt.key-secret", STR, "ID of secret providing qcow AES key or LUKS passphrase"),
            new CreateOption("encryption", BOOL,
                    "Encrypt the image with format 'aes'. (Deprecated in favor of encrypt.format=aes)"),
            new CreateOption("extended_l2", BOOL, "Extended L2 tables"),
            new CreateOption("lazy_refcounts", BOOL, "Postpone refcount updates"),
            new CreateOption("preallocation", STR, "Preallocation mode (allowed values: off, metadata, falloc, full)"),
            new CreateOption("refcount_bits", NUM, "Width of a reference count entry in bits"),
            new CreateOption("size", SIZE, "Virtual disk size"));

    /** The raw format's own options. */
    public static final List<CreateOption> RAW = List.of(new CreateOption("size", SIZE, "Virtual disk size"));

    /** What the file protocol adds once a target file name is known. */
    public static final List<CreateOption> FILE = List.of(
            new CreateOption("extent_size_hint", SIZE, "Extent size hint for the image file, 0 to disable"),
            new CreateOption("nocow", BOOL, "Turn off copy-on-write (valid only on btrfs)"),
            new CreateOption("preallocation", STR, "Preallocation mode (allowed values: off, falloc, full)"),
            new CreateOption("size", SIZE, "Virtual disk size"));

    /** The format's options, or null for a format this implementation cannot create. */
    public static List<CreateOption> forFormat(String format) {
        return switch (format) {
            case "qcow2" -> QCOW2;
            case "raw" -> RAW;
            default -> null;
        };
    }

    /** Format options merged with the file protocol's (the format's own entry wins), sorted by name. */
    public static List<CreateOption> withProtocol(List<CreateOption> format) {
        java.util.TreeMap<String, CreateOption> all = new java.util.TreeMap<>();
        FILE.forEach(o -> all.put(o.name(), o));
        format.forEach(o -> all.put(o.name(), o));
        return List.copyOf(all.values());
    }

    public static CreateOption find(List<CreateOption> list, String name) {
        for (CreateOption o : list) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }
}
