package io.jqcow.tools;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.Images;
import io.jqcow.image.OpenOptions;
import java.nio.file.Path;

/** The one way commands open images, so tests can hand in an in-memory node instead. */
@FunctionalInterface
public interface ImageOpener {

    BlockNode open(Path path, OpenOptions options) throws BlockException;

    /** The real thing: format probing, drivers and backing chains. */
    ImageOpener IMAGES = Images::open;
}
