package io.jqcow.image;

/**
 * qemu-img measure's answer.
 *
 * @param required       bytes the new image needs for the given content
 * @param fullyAllocated bytes it needs when every cluster is allocated
 * @param bitmaps        bytes for persistent bitmaps copied from the source, or -1 when not applicable
 */
public record MeasureResult(long required, long fullyAllocated, long bitmaps) {

    public boolean hasBitmaps() {
        return bitmaps >= 0;
    }
}
