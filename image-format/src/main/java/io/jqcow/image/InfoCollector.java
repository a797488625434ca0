package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.Qcow2Info;
import java.nio.file.Path;
import java.util.List;

/** Collects {@link ImageInfo} from an open image node (format, sizes, backing, qcow2 specifics). */
public final class InfoCollector {
    private InfoCollector() {
    }

    /**
     * @param name the image name as the user gave it (printed as "filename")
     * @param path where the image file is, for the host allocation
     */
    public static ImageInfo collect(String name, Path path, BlockNode node) throws BlockException {
        long actual = HostAllocation.allocatedBytes(path);
        if (node.driver() instanceof Qcow2Driver q) {
            Qcow2Info i = q.info();
            String backing = i.backingFile();
            String full = backing == null ? null : BackingNames.resolve(name, backing);
            return new ImageInfo(name, "qcow2", node.length(), actual, i.clusterSize(), i.dirty(), backing, full,
                    backing == null ? null : i.backingFormat(), i.snapshots(), i, BitmapDirectory.read(q));
        }
        return new ImageInfo(name, node.formatName(), node.length(), actual, 0, false, null, null, null, List.of(),
                null, List.of());
    }
}
