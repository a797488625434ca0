package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.posix.FilesystemType.FsClass;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilesystemTypeTest {

    /** Magic values as printed in linux/magic.h and statfs(2) (ZFS, Lustre, GPFS from their projects). */
    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource({
        "0x58465342, xfs, LOCAL",
        "0xEF53, ext4, LOCAL",
        "0x9123683E, btrfs, LOCAL",
        "0x01021994, tmpfs, LOCAL",
        "0xF2F52010, f2fs, LOCAL",
        "0x2fc12fc1, zfs, LOCAL",
        "0x6969, nfs, REMOTE",
        "0xFF534D42, cifs, REMOTE",
        "0xFE534D42, cifs, REMOTE",
        "0x517B, smb, REMOTE",
        "0x00c36400, ceph, REMOTE",
        "0x65735546, fuse, FUSE",
        "0x01021997, 9p, REMOTE",
        "0x794c7630, overlayfs, LOCAL",
        "0x73717368, squashfs, LOCAL",
        "0x4d44, vfat, LOCAL",
        "0x2011BAB0, exfat, LOCAL",
        "0x5346544e, ntfs, LOCAL",
        "0xE0F5E1E2, erofs, LOCAL",
        "0x9660, iso9660, LOCAL",
        "0x15013346, udf, LOCAL",
        "0x858458f6, ramfs, LOCAL",
        "0x958458f6, hugetlbfs, LOCAL",
        "0x7461636f, ocfs2, LOCAL",
        "0x01161970, gfs2, LOCAL",
        "0x3153464a, jfs, LOCAL",
        "0x52654973, reiserfs, LOCAL",
        "0x3434, nilfs, LOCAL",
        "0x4244, hfs, LOCAL",
        "0x28cd3d45, cramfs, LOCAL",
        "0xf15f, ecryptfs, LOCAL",
        "0x5346414F, afs, REMOTE",
        "0x6B414653, afs, REMOTE",
        "0x73757245, coda, REMOTE",
        "0x0BD00BD0, lustre, REMOTE",
        "0x47504653, gpfs, REMOTE",
    })
    void knownMagics(String hex, String name, FsClass cls) {
        long magic = Long.decode(hex);
        FilesystemType t = FilesystemType.fromMagic(magic);
        assertEquals(name, t.name());
        assertEquals(cls, t.fsClass());
        assertEquals(magic, t.magic());
    }

    @Test
    void everyListedMagicIsCoveredByTheTestAbove() {
        // 36 rows above; a new table entry must come with its own test row.
        assertEquals(36, FilesystemType.known().size());
    }

    @Test
    void signExtendedMagicIsAccepted() {
        // f_type is a signed word; 32-bit ABIs hand 0xFF534D42 over as a negative number.
        assertEquals("cifs", FilesystemType.fromMagic((int) 0xFF534D42L).name());
        assertEquals("xfs", FilesystemType.fromMagic(0xFFFF_FFFF_5846_5342L).name());
    }

    @Test
    void unknownMagicKeepsItsNumber() {
        FilesystemType t = FilesystemType.fromMagic(0x12345678);
        assertEquals(FsClass.UNKNOWN, t.fsClass());
        assertEquals(FilesystemType.UNKNOWN_NAME, t.name());
        assertEquals("0x12345678", t.magicHex());
    }

    @Test
    void namesResolveBackToTheirType() {
        Set<String> names = new HashSet<>();
        for (FilesystemType t : FilesystemType.known()) {
            names.add(t.name());
            FilesystemType byName = FilesystemType.byName(t.name()).orElseThrow();
            assertEquals(t.fsClass(), byName.fsClass());
        }
        assertTrue(names.containsAll(Set.of("xfs", "ext4", "nfs", "fuse", "9p", "cifs")));
        assertTrue(FilesystemType.byName("ext3").isEmpty());
    }
}
