package io.jqcow.image;

import java.util.List;

/**
 * One persistent dirty bitmap of a qcow2 image, as qemu-img info lists it.
 *
 * @param flags "in-use" and/or "auto", in that order
 */
public record BitmapInfo(String name, long granularity, List<String> flags) {

    public BitmapInfo {
        flags = List.copyOf(flags);
    }
}
