package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.RequestLayer;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.aio.LinuxAioHostFile;
import java.util.function.UnaryOperator;

/**
 * Opens a file or device as a {@link BlockNode}: resolves the per-filesystem policy from fstatfs,
 * chooses the I/O engine (linux-aio as a {@link HostFile} decorator), opens the driver and puts the
 * request layer in front. The one place where these pieces meet.
 */
public final class FileNodeOpener {
    /** QEMU's default aio-max-batch (0 lets the engine use it). */
    private static final int DEFAULT_MAX_BATCH = 0;

    private final FilesystemPolicy policy;
    private final RequestThreads threads;
    private final UnaryOperator<HostFile> extraDecorator;

    /**
     * @param policy         per-filesystem policy (table and kernel already resolved by the caller)
     * @param threads        request threads shared by the nodes of one image graph
     * @param extraDecorator applied to the host file below the engine (fault injection, the XFS
     *                       race simulator); null for none
     */
    public FileNodeOpener(FilesystemPolicy policy, RequestThreads threads, UnaryOperator<HostFile> extraDecorator) {
        this.policy = policy;
        this.threads = threads;
        this.extraDecorator = extraDecorator;
    }

    /** The policy with the environment's table (JQCOW_FS_POLICY / -Djqcow.fs-policy) and the running kernel. */
    public static FilesystemPolicy environmentPolicy() throws BlockException {
        return new FilesystemPolicy(PolicyTable.from(System.getenv(), System.getProperties()), KernelVersion.running());
    }

    /** What the policy decides for this file and these options (also what probe prints). */
    public PolicyDecision decide(FileOptions options) throws BlockException {
        StatfsResult fs = FilePosix.filesystemOf(options.path());
        return policy.decide(FilesystemType.fromMagic(fs.type()), options);
    }

    public BlockNode open(FileOptions options, LockRequest locks) throws BlockException {
        FilePosix.validate(options);
        PolicyDecision decision = decide(options);
        UnaryOperator<HostFile> decorator = engineDecorator(options.aio());
        FilePosixDriver driver;
        try {
            driver = FilePosix.openDriver(options, decorator, decision.serialisePostEofWrites(),
                    decision.allocZeroWrites(), locks);
        } catch (EngineUnavailable e) {
            throw (BlockException) e.getCause();
        }
        try {
            return new RequestLayer(driver, threads);
        } catch (BlockException | RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    public BlockNode open(FileOptions options) throws BlockException {
        return open(options, LockRequest.forOpen(options.readOnly(), options.forceShare()));
    }

    private UnaryOperator<HostFile> engineDecorator(AioMode aio) throws BlockException {
        UnaryOperator<HostFile> below = extraDecorator == null ? UnaryOperator.identity() : extraDecorator;
        return switch (aio) {
            case THREADS -> extraDecorator;
            case NATIVE -> host -> {
                HostFile inner = below.apply(host);
                try {
                    return LinuxAioHostFile.wrap(inner, DEFAULT_MAX_BATCH);
                } catch (BlockException e) {
                    throw new EngineUnavailable(e);
                }
            };
            case IO_URING -> throw new BlockException(io.jqcow.block.Errno.ENOTSUP,
                    "aio=io_uring is not supported by this build (use threads or native)");
        };
    }

    /** Carries a checked engine failure out of the decorator lambda; unwrapped by callers of open. */
    static final class EngineUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EngineUnavailable(BlockException cause) {
            super(cause);
        }
    }
}
