package io.jqcow.image;

import io.jqcow.block.BlockNode;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.raw.RawDriver;

/** One image of a backing chain, with the names qemu-img prints for it and its data file. */
record ChainLayer(BlockNode node, String name, String dataFileName) {

    static ChainLayer top(BlockNode node, String name) {
        return new ChainLayer(node, name, dataFileName(node, name));
    }

    /** The next layer down, or null at the bottom (or when the backing was not opened). */
    ChainLayer backing() {
        if (node.driver() instanceof Qcow2Driver q && q.backingNode() != null) {
            String n = BackingNames.resolve(name, q.backingFileName());
            return new ChainLayer(q.backingNode(), n, dataFileName(q.backingNode(), n));
        }
        return null;
    }

    /** The node whose bytes a host offset of this layer refers to: the format layer's file child. */
    BlockNode fileNode() {
        if (node.driver() instanceof Qcow2Driver q) {
            return q.fileNode();
        }
        if (node.driver() instanceof RawDriver r) {
            return r.child();
        }
        return null;
    }

    private static String dataFileName(BlockNode node, String name) {
        if (node.driver() instanceof Qcow2Driver q && q.info().dataFile() != null) {
            return BackingNames.resolve(name, q.info().dataFile());
        }
        return name;
    }
}
