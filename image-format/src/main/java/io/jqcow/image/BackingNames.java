package io.jqcow.image;

import java.nio.file.Path;

/** How QEMU names a backing file relative to its overlay: joined to the overlay's directory as given. */
public final class BackingNames {
    private BackingNames() {
    }

    /** The backing file's name as the user would type it from the current directory. */
    public static String resolve(String imageName, String backing) {
        if (backing.startsWith("/")) {
            return backing;
        }
        Path dir = Path.of(imageName).getParent();
        return dir == null ? backing : dir.resolve(backing).toString();
    }
}
