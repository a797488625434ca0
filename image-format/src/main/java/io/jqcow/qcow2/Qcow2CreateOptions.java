package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * qemu-img create -o options for qcow2.
 *
 * @param size        virtual size in bytes, -1 = take the backing file's size
 * @param version     2 (compat=0.10) or 3 (compat=1.1)
 * @param compression 0 zlib, 1 zstd
 */
public record Qcow2CreateOptions(long size, int version, int clusterSize, int refcountBits, boolean lazyRefcounts,
                                 PreallocMode prealloc, String backingFile, String backingFormat, boolean extendedL2,
                                 int compression, String dataFile, boolean dataFileRaw) {

    static final Set<String> KNOWN = Set.of("size", "compat", "cluster_size", "refcount_bits", "lazy_refcounts",
            "preallocation", "backing_file", "backing_fmt", "extended_l2", "compression_type", "data_file",
            "data_file_raw", "encryption", "encrypt.format");

    public static Qcow2CreateOptions parse(Map<String, String> o, long size) throws BlockException {
        for (String k : o.keySet()) {
            if (!KNOWN.contains(k)) {
                throw new BlockException(Errno.EINVAL, "Invalid parameter '" + k + "'");
            }
        }
        if (bool(o, "encryption", false) || o.containsKey("encrypt.format")) {
            throw new BlockException(Errno.ENOTSUP, "encryption not supported");
        }
        String compat = o.getOrDefault("compat", "1.1");
        int version = switch (compat) {
            case "0.10", "v2" -> 2;
            case "1.1", "v3" -> 3;
            default -> throw new BlockException(Errno.EINVAL, "Parameter 'version' does not accept value '" + compat + "'");
        };
        long cs = o.containsKey("cluster_size") ? Qcow2Options.parseSize("cluster_size", o.get("cluster_size")) : 65536;
        int rb = o.containsKey("refcount_bits") ? (int) Qcow2Options.parseSize("refcount_bits", o.get("refcount_bits")) : 16;
        String pre = o.getOrDefault("preallocation", "off");
        PreallocMode mode;
        try {
            mode = PreallocMode.parse(pre);
        } catch (BlockException e) {
            throw new BlockException(Errno.EINVAL, "Parameter 'preallocation' does not accept value '" + pre + "'");
        }
        String ct = o.getOrDefault("compression_type", "zlib").toLowerCase(Locale.ROOT);
        int compression = switch (ct) {
            case "zlib" -> 0;
            case "zstd" -> 1;
            default -> throw new BlockException(Errno.EINVAL, "Parameter 'compression-type' does not accept value '"
                    + ct + "'");
        };
        Qcow2CreateOptions r = new Qcow2CreateOptions(size, version, (int) Math.min(cs, Integer.MAX_VALUE), rb,
                bool(o, "lazy_refcounts", false), mode, o.get("backing_file"), o.get("backing_fmt"),
                bool(o, "extended_l2", false), compression, o.get("data_file"), bool(o, "data_file_raw", false));
        r.validate(cs);
        return r;
    }

    private static boolean bool(Map<String, String> o, String k, boolean dflt) throws BlockException {
        String v = o.get(k);
        if (v == null) {
            return dflt;
        }
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new BlockException(Errno.EINVAL, "Parameter '" + k + "' expects 'on' or 'off'");
        };
    }

    private void validate(long cs) throws BlockException {
        if (cs < 512 || cs > (2 << 20) || Long.bitCount(cs) != 1) {
            throw new BlockException(Errno.EINVAL, "Cluster size must be a power of two between 512 and 2048k");
        }
        if (refcountBits < 1 || refcountBits > 64 || Integer.bitCount(refcountBits) != 1) {
            throw new BlockException(Errno.EINVAL, "Refcount width must be a power of two and may not exceed 64 bits");
        }
        String v3 = " (use version=v3 or greater)";
        if (version == 2) {
            if (refcountBits != 16) {
                throw new BlockException(Errno.EINVAL, "Different refcount widths than 16 bits require "
                        + "compatibility level 1.1 or above" + v3);
            }
            if (lazyRefcounts) {
                throw new BlockException(Errno.EINVAL, "Lazy refcounts only supported with compatibility level 1.1 "
                        + "and above" + v3);
            }
            if (extendedL2) {
                throw new BlockException(Errno.EINVAL, "Extended L2 entries are only supported with compatibility "
                        + "level 1.1 and above" + v3);
            }
            if (dataFile != null) {
                throw new BlockException(Errno.EINVAL, "External data files are only supported with compatibility "
                        + "level 1.1 and above" + v3);
            }
            if (compression != 0) {
                throw new BlockException(Errno.EINVAL, "Non-zlib compression type is only supported with "
                        + "compatibility level 1.1 and above" + v3);
            }
        }
        if (extendedL2 && cs < 16384) {
            throw new BlockException(Errno.EINVAL, "Extended L2 entries are only supported with cluster sizes of at "
                    + "least 16384 bytes");
        }
        if (backingFormat != null && backingFile == null) {
            throw new BlockException(Errno.EINVAL, "Backing format cannot be used without backing file");
        }
        if (dataFileRaw && dataFile == null) {
            throw new BlockException(Errno.EINVAL, "data-file-raw requires data-file");
        }
        if (dataFileRaw && backingFile != null) {
            throw new BlockException(Errno.EINVAL, "Backing file and data-file-raw cannot be used at the same time");
        }
        if (backingFile != null && prealloc != PreallocMode.OFF && !extendedL2) {
            throw new BlockException(Errno.EINVAL, "Backing file and preallocation can only be used at the same time "
                    + "if extended_l2 is on");
        }
        if (size >= 0) {
            int cb = Integer.numberOfTrailingZeros((int) cs);
            int l2Bits = cb - (extendedL2 ? 4 : 3);
            long maxL1 = HeaderValidator.MAX_L1_BYTES / 8;
            if (cb + l2Bits < 63 && ((size + (1L << (cb + l2Bits)) - 1) >>> (cb + l2Bits)) > maxL1) {
                throw new BlockException(Errno.EFBIG, "The image size is too large for file format 'qcow2' (try using "
                        + "a larger cluster size)");
            }
        }
    }
}
