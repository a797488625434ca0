package io.jqcow.posix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The filesystem a file lives on, as told by statfs(2) f_type, with the class that decides its
 * default I/O policy. Magic numbers come from linux/magic.h and the statfs(2) man page; ZFS's
 * (0x2fc12fc1) and a few cluster filesystems' are not in magic.h and come from their projects.
 *
 * <p>Naming decisions:
 * <ul>
 *   <li>ext2, ext3 and ext4 share 0xEF53 and cannot be told apart by f_type; since the ext4 driver
 *       serves all three on current kernels the type is named "ext4".</li>
 *   <li>virtiofs reports FUSE_SUPER_MAGIC (it is built on the FUSE protocol), so it is "fuse".</li>
 *   <li>GlusterFS's native client is a FUSE daemon, so it is "fuse" as well; class FUSE.</li>
 *   <li>CIFS and SMB2 mounts report two different magics; both are named "cifs".</li>
 *   <li>vfat and msdos share MSDOS_SUPER_MAGIC; the type is named "vfat".</li>
 * </ul>
 *
 * @param magic   the f_type value (as an unsigned 32-bit number)
 * @param name    short lowercase name, also the key in a {@link PolicyTable}
 * @param fsClass local, remote (network/cluster), fuse (userspace, server unknown) or unknown
 */
public record FilesystemType(long magic, String name, FsClass fsClass) {

    /** What the kernel can tell us about who finally stores the bytes. */
    public enum FsClass {
        /** A kernel filesystem on a local block device (or memory). */
        LOCAL,
        /** A network filesystem: the server's own filesystem is unknown to us. */
        REMOTE,
        /** A userspace filesystem: whatever the daemon writes to is unknown to us. */
        FUSE,
        /** A magic this table does not know. */
        UNKNOWN;

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Name given to magics that are not in the table. */
    public static final String UNKNOWN_NAME = "unknown";

    private static final Map<Long, FilesystemType> BY_MAGIC = buildTable();

    private static Map<Long, FilesystemType> buildTable() {
        Map<Long, FilesystemType> m = new LinkedHashMap<>();
        FsClass l = FsClass.LOCAL;
        FsClass r = FsClass.REMOTE;
        // Local disk filesystems.
        put(m, 0x58465342L, "xfs", l);
        put(m, 0xEF53L, "ext4", l);
        put(m, 0x9123683EL, "btrfs", l);
        put(m, 0xF2F52010L, "f2fs", l);
        put(m, 0x2FC12FC1L, "zfs", l);
        put(m, 0x4D44L, "vfat", l);
        put(m, 0x2011BAB0L, "exfat", l);
        put(m, 0x5346544EL, "ntfs", l);
        put(m, 0x3153464AL, "jfs", l);
        put(m, 0x52654973L, "reiserfs", l);
        put(m, 0x3434L, "nilfs", l);
        put(m, 0x4244L, "hfs", l);
        put(m, 0x7461636FL, "ocfs2", l);
        put(m, 0x01161970L, "gfs2", l);
        put(m, 0x73717368L, "squashfs", l);
        put(m, 0xE0F5E1E2L, "erofs", l);
        put(m, 0x9660L, "iso9660", l);
        put(m, 0x15013346L, "udf", l);
        put(m, 0x28CD3D45L, "cramfs", l);
        // Memory-backed and stacking filesystems: the bytes stay in this kernel.
        put(m, 0x01021994L, "tmpfs", l);
        put(m, 0x858458F6L, "ramfs", l);
        put(m, 0x958458F6L, "hugetlbfs", l);
        put(m, 0x794C7630L, "overlayfs", l);
        put(m, 0xF15FL, "ecryptfs", l);
        // Network and cluster filesystems: the server's filesystem is unknown.
        put(m, 0x6969L, "nfs", r);
        put(m, 0xFF534D42L, "cifs", r);
        put(m, 0xFE534D42L, "cifs", r);
        put(m, 0x517BL, "smb", r);
        put(m, 0x00C36400L, "ceph", r);
        put(m, 0x01021997L, "9p", r);
        put(m, 0x5346414FL, "afs", r);
        put(m, 0x6B414653L, "afs", r);
        put(m, 0x73757245L, "coda", r);
        put(m, 0x0BD00BD0L, "lustre", r);
        put(m, 0x47504653L, "gpfs", r);
        // Userspace filesystems (also virtiofs and the GlusterFS client).
        put(m, 0x65735546L, "fuse", FsClass.FUSE);
        return Map.copyOf(m);
    }

    private static void put(Map<Long, FilesystemType> m, long magic, String name, FsClass c) {
        if (m.put(magic, new FilesystemType(magic, name, c)) != null) {
            throw new IllegalStateException("duplicate magic " + Long.toHexString(magic));
        }
    }

    /** The type for a statfs f_type; a sign-extended 32-bit value is accepted too. */
    public static FilesystemType fromMagic(long fType) {
        long magic = fType & 0xFFFF_FFFFL;
        FilesystemType known = BY_MAGIC.get(magic);
        return known != null ? known : new FilesystemType(magic, UNKNOWN_NAME, FsClass.UNKNOWN);
    }

    /** The known type with this name (any of its magics), e.g. for validating policy keys. */
    public static Optional<FilesystemType> byName(String name) {
        return BY_MAGIC.values().stream().filter(t -> t.name.equals(name)).findFirst();
    }

    /** Every known type, one entry per magic. */
    public static List<FilesystemType> known() {
        return List.copyOf(BY_MAGIC.values());
    }

    public String magicHex() {
        return String.format(Locale.ROOT, "0x%08x", magic);
    }

    @Override
    public String toString() {
        return name + " (" + magicHex() + ", " + fsClass.lowerName() + ")";
    }
}
