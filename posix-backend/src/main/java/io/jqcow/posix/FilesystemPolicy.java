package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.Optional;

/**
 * The one place that decides, for a file node, (1) whether a write-zeroes ending past EOF is
 * serialised against all other requests (the pre-5.5 XFS fallocate race workaround) and (2) whether
 * qcow2 may zero-write freshly allocated cluster space ("alloc-zero-writes").
 *
 * <p>Precedence, highest first: the per-open option (FileOptions), the {@link PolicyTable} entry for
 * the filesystem's name, the table entry for its class, then the defaults:
 * <ul>
 *   <li>post-EOF serialisation: xfs async-only (only kernel-async engines race with fallocate);
 *       remote and FUSE filesystems always (the server's filesystem may be an affected XFS, which is
 *       why QEMU applies it everywhere); other known local filesystems off; unknown always.</li>
 *   <li>alloc-zero writes: on everywhere, as in QEMU.</li>
 * </ul>
 *
 * <p>Typical use by an opener (nothing here reads globals itself):
 * <pre>{@code
 * FilesystemPolicy policy = new FilesystemPolicy(
 *         PolicyTable.from(System.getenv(), System.getProperties()), KernelVersion.running());
 * PolicyDecision d = policy.decide(FilesystemType.fromMagic(statfs.f_type), fileOptions);
 * }</pre>
 */
public final class FilesystemPolicy {

    /** The per-open spelling meaning "no override". */
    public static final String AUTO = "auto";

    private final PolicyTable table;
    private final KernelVersion kernel;

    /**
     * @param table  per-filesystem overrides (PolicyTable.empty() for none)
     * @param kernel the running kernel, only used to explain the xfs default; may be null
     */
    public FilesystemPolicy(PolicyTable table, KernelVersion kernel) {
        this.table = table;
        this.kernel = kernel;
    }

    public PolicyDecision decide(FilesystemType fs, FileOptions options) throws BlockException {
        return decide(fs, options.aio(), options.postEofSerialise(), options.allocZeroWrites());
    }

    /**
     * @param postEofOption   per-open post-eof-serialise: auto (or null), off, async-only, always
     * @param allocZeroOption per-open alloc-zero-writes: auto (or null), on, off
     */
    public PolicyDecision decide(FilesystemType fs, AioMode aio, String postEofOption, String allocZeroOption)
            throws BlockException {
        PostEofSerialise postEof;
        String postEofRule;
        Optional<PolicyTable.Entry> pe = table.lookup(fs, PolicyTable.Setting.POST_EOF_SERIALISE);
        if (!isAuto(postEofOption)) {
            postEof = parsePostEofOption(postEofOption);
            postEofRule = "per-open option post-eof-serialise=" + postEofOption;
        } else if (pe.isPresent()) {
            postEof = pe.get().postEof();
            postEofRule = pe.get().rule();
        } else {
            postEof = defaultPostEof(fs);
            postEofRule = defaultPostEofRule(fs);
        }

        boolean allocZero;
        String allocZeroRule;
        Optional<PolicyTable.Entry> az = table.lookup(fs, PolicyTable.Setting.ALLOC_ZERO_WRITES);
        if (!isAuto(allocZeroOption)) {
            allocZero = parseOnOff(allocZeroOption);
            allocZeroRule = "per-open option alloc-zero-writes=" + allocZeroOption;
        } else if (az.isPresent()) {
            allocZero = az.get().allocZeroWrites();
            allocZeroRule = az.get().rule();
        } else {
            allocZero = true;
            allocZeroRule = "default, as QEMU";
        }
        return new PolicyDecision(fs, aio, postEof, postEofRule, allocZero, allocZeroRule);
    }

    /** The default before any override. */
    public static PostEofSerialise defaultPostEof(FilesystemType fs) {
        if (fs.name().equals("xfs")) {
            return PostEofSerialise.ASYNC_ONLY;
        }
        return switch (fs.fsClass()) {
            case LOCAL -> PostEofSerialise.OFF;
            case REMOTE, FUSE, UNKNOWN -> PostEofSerialise.ALWAYS;
        };
    }

    private String defaultPostEofRule(FilesystemType fs) {
        if (fs.name().equals("xfs")) {
            if (kernel == null) {
                return "default for xfs";
            }
            String fix = kernel.hasXfsFallocateAioFix() ? "has" : "may lack";
            return "default for xfs (kernel " + kernel + " " + fix + " the 5.5 fallocate fix)";
        }
        return switch (fs.fsClass()) {
            case LOCAL -> "default for local filesystems (" + fs.name() + ")";
            case REMOTE -> "default for remote filesystems (" + fs.name() + ")";
            case FUSE -> "default for fuse filesystems (" + fs.name() + ")";
            case UNKNOWN -> "default for unknown filesystems (f_type " + fs.magicHex() + ")";
        };
    }

    private static boolean isAuto(String option) {
        return option == null || option.equals(AUTO);
    }

    private static PostEofSerialise parsePostEofOption(String v) throws BlockException {
        for (PostEofSerialise p : PostEofSerialise.values()) {
            if (p.optionName().equals(v)) {
                return p;
            }
        }
        throw new BlockException(Errno.EINVAL, "Invalid post-eof-serialise option '" + v
                + "' (expected auto, off, async-only or always)");
    }

    private static boolean parseOnOff(String v) throws BlockException {
        if (v.equals("on")) {
            return true;
        }
        if (v.equals("off")) {
            return false;
        }
        throw new BlockException(Errno.EINVAL, "Invalid alloc-zero-writes option '" + v
                + "' (expected auto, on or off)");
    }
}
