package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;

/** Opens the nodes a qcow2 image refers to by name (names as stored in the image). */
public interface ChildOpener {
    /** Opens the backing image read-only; format null means probe. */
    BlockNode openBacking(String name, String format) throws BlockException;

    /** Opens the external data file (raw protocol node), writable unless readOnly. */
    BlockNode openDataFile(String name, boolean readOnly) throws BlockException;

    /** A ChildOpener that refuses everything (images without backing or data file). */
    ChildOpener NONE = new ChildOpener() {
        @Override
        public BlockNode openBacking(String name, String format) throws BlockException {
            throw BlockException.enotsup(-1, "cannot open backing file '" + name + "' here");
        }

        @Override
        public BlockNode openDataFile(String name, boolean readOnly) throws BlockException {
            throw BlockException.enotsup(-1, "cannot open data file '" + name + "' here");
        }
    };
}
