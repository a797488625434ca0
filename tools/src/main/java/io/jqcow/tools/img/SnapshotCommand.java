package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.posix.CacheMode;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code snapshot [-U] [-q] [-l | -a NAME | -c NAME | -d NAME] FILE}: qemu-img's internal snapshot
 * list, apply, create and delete. As in qemu-img 7.2: there is no -f (the format is probed); with no
 * action the image is opened for writing and left alone; a name may repeat (each snapshot gets the
 * next free id); -a takes an id or a name (the id first), -d a name only.
 */
@Command(name = "snapshot", description = "List, apply, create or delete internal snapshots (qemu-img snapshot).")
public final class SnapshotCommand implements Callable<Integer> {
    private enum Action { NONE, LIST, APPLY, CREATE, DELETE }

    private final ToolEnv env;
    private final List<Action> actions = new ArrayList<>();
    private String name;

    @Option(names = {"-U", "--force-share"}) boolean forceShare;
    @Option(names = "-q") boolean quiet;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;
    @Parameters(paramLabel = "FILE") List<String> files = new ArrayList<>();

    public SnapshotCommand(ToolEnv env) {
        this.env = env;
    }

    @Option(names = "-l")
    void list(boolean on) {
        actions.add(Action.LIST);
    }

    @Option(names = "-a", paramLabel = "SNAPSHOT")
    void apply(String snapshot) {
        actions.add(Action.APPLY);
        name = snapshot;
    }

    @Option(names = "-c", paramLabel = "SNAPSHOT")
    void create(String snapshot) {
        actions.add(Action.CREATE);
        name = snapshot;
    }

    @Option(names = "-d", paramLabel = "SNAPSHOT")
    void delete(String snapshot) {
        actions.add(Action.DELETE);
        name = snapshot;
    }

    @Override
    public Integer call() throws Exception {
        if (actions.size() > 1) {
            return Usage.fail(env, "Cannot mix '-l', '-a', '-c', '-d'");
        }
        if (files.size() != 1) {
            return Usage.fail(env, "Expecting one image file name");
        }
        Action action = actions.isEmpty() ? Action.NONE : actions.get(0);
        String file = files.get(0);
        boolean readOnly = action == Action.LIST;
        if (forceShare && !readOnly) {
            throw new ToolException("Could not open '" + file + "': force-share=on can only be used with read-only images");
        }
        try (BlockNode node = Opening.open(env, file, Opening.options(null, readOnly, forceShare, false,
                CacheMode.WRITEBACK))) {
            Qcow2Driver q = node.driver() instanceof Qcow2Driver d ? d : null;
            switch (action) {
                case NONE -> {
                    // qemu-img opens the image for writing and does nothing else
                }
                case LIST -> {
                    if (q != null && !q.snapshots().entries().isEmpty()) {
                        env.out().print(InfoPrinter.snapshotList(q.snapshots().entries()));
                    }
                }
                case CREATE -> {
                    if (q == null) {
                        throw new ToolException("Could not create snapshot '" + name + "': -95 (Operation not supported)");
                    }
                    q.createSnapshot(name);
                }
                case APPLY -> {
                    if (q == null) {
                        // qemu-img retries on the file below by reopening the image, which warns again
                        env.err().println(io.jqcow.image.ImageOpener.probedRawWarning(file));
                        throw new ToolException("Could not apply snapshot '" + name
                                + "': Block driver does not support snapshots");
                    }
                    try {
                        q.applySnapshot(name);
                    } catch (BlockException e) {
                        throw new ToolException("Could not apply snapshot '" + name + "': "
                                + (e.errno() == Errno.ENOENT ? "Failed to load snapshot: No such file or directory"
                                        : e.getMessage()));
                    }
                }
                case DELETE -> {
                    if (q == null || q.snapshots().entries().stream().noneMatch(e -> e.name().equals(name))) {
                        throw new ToolException("Could not delete snapshot '" + name + "': snapshot not found");
                    }
                    q.deleteSnapshotNamed(name);
                }
                default -> throw new IllegalStateException(action.name());
            }
            node.flush();
        }
        env.out().flush();
        return 0;
    }
}
