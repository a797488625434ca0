package io.jqcow.image;

/**
 * One qemu-img map entry: a guest range and which chain layer resolves it.
 *
 * @param depth    0 = the top image, 1 = its backing file, ...; the bottom depth when nothing allocates it
 * @param present  some layer allocates the range
 * @param offset   host offset of the raw data in {@code filename}, or -1 when there is none
 * @param filename the file {@code offset} refers to (the layer's file or its data file), or null
 */
public record MapExtent(long start, long length, int depth, boolean present, boolean zero, boolean data, long offset,
                        String filename) {

    public long end() {
        return start + length;
    }

    public boolean hasOffset() {
        return offset >= 0;
    }

    /** qemu-img's merge rule: contiguous, same attributes, and (if mapped) contiguous host offsets. */
    public boolean mergeableWith(MapExtent next) {
        return end() == next.start && depth == next.depth && present == next.present && zero == next.zero
                && data == next.data && hasOffset() == next.hasOffset()
                && (!hasOffset() || offset + length == next.offset)
                && java.util.Objects.equals(filename, next.filename);
    }

    public MapExtent merge(MapExtent next) {
        return new MapExtent(start, length + next.length, depth, present, zero, data, offset, filename);
    }
}
