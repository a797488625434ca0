package io.jqcow.tools.cli;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.image.OpenOptions;
import io.jqcow.qcow2.SnapshotLoadException;
import io.jqcow.tools.ImageOpener;
import io.jqcow.tools.ToolException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * qemu-img's {@code -l SNAPSHOT_PARAM} (convert, measure): either "snapshot.id=ID,snapshot.name=NAME"
 * (either key or both) or a bare id-or-name, which qemu tries as an id first, then as a name.
 *
 * @param candidates the open options to try in turn (snapshot.id / snapshot.name)
 */
public record SnapshotParam(List<Map<String, String>> candidates) {
    private static final String PREFIX = "snapshot.";

    public SnapshotParam {
        candidates = List.copyOf(candidates);
    }

    /** @throws ToolException qemu-img's two lines for an unknown key */
    public static SnapshotParam parse(String param) throws ToolException {
        if (!param.startsWith(PREFIX)) {
            return new SnapshotParam(List.of(Map.of("snapshot.id", param), Map.of("snapshot.name", param)));
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : OptionString.parseAll(List.of(param)).entrySet()) {
            if (!e.getKey().equals("snapshot.id") && !e.getKey().equals("snapshot.name")) {
                throw new ToolException(List.of("Invalid parameter '" + e.getKey() + "'",
                        "Failed in parsing snapshot param '" + param + "'"), 1);
            }
            keys.put(e.getKey(), e.getValue());
        }
        return new SnapshotParam(List.of(keys));
    }

    /**
     * Opens {@code path} reading the snapshot: each candidate in turn while the snapshot is not
     * found. Failing to load it is a {@link SnapshotLoadException}; other failures are the open's.
     */
    public BlockNode open(ImageOpener opener, Path path, OpenOptions options) throws BlockException {
        for (int i = 0; ; i++) {
            Map<String, String> extra = new HashMap<>(options.extra());
            extra.putAll(candidates.get(i));
            try {
                return opener.open(path, options.withExtra(extra));
            } catch (SnapshotLoadException e) {
                if (e.errno() != Errno.ENOENT || i == candidates.size() - 1) {
                    throw e;
                }
            }
        }
    }
}
