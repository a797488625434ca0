package io.jqcow.posix;

/**
 * What file-posix learns about a file or device, for "jqcow probe" and for the policy glue.
 *
 * @param path                  what was probed
 * @param fsMagic               fstatfs f_type of the filesystem holding the file (naming is elsewhere);
 *                              for a device node that is the filesystem holding the node (devtmpfs)
 * @param fsBlockSize           fstatfs f_bsize
 * @param blockDevice           whether path is a block device
 * @param logicalBlockSize      BLKSSZGET, 0 when not a device
 * @param physicalBlockSize     BLKPBSZGET, 0 when not a device
 * @param statxDioOffsetAlign   statx stx_dio_offset_align, 0 when not reported
 * @param statxDioMemAlign      statx stx_dio_mem_align, 0 when not reported
 * @param probedRequestAlignment O_DIRECT trial-read result, 0 when unknown or not run
 * @param probedMemAlignment    O_DIRECT trial-read result, 0 when unknown or not run
 * @param requestAlignment      the request alignment the driver would use with O_DIRECT
 * @param memAlignment          the memory alignment the driver would use with O_DIRECT
 * @param alignmentSource       which source decided requestAlignment
 * @param maxTransfer           the driver's max transfer, 0 = unlimited
 * @param zeroRange             FALLOC_FL_ZERO_RANGE on a scratch file
 * @param punchHole             FALLOC_FL_PUNCH_HOLE|KEEP_SIZE on a scratch file
 * @param allocate              plain fallocate on a scratch file
 * @param seekData              whether SEEK_DATA/SEEK_HOLE see holes
 */
public record ProbeReport(String path, long fsMagic, long fsBlockSize, boolean blockDevice,
                          int logicalBlockSize, int physicalBlockSize, int statxDioOffsetAlign,
                          int statxDioMemAlign, int probedRequestAlignment, int probedMemAlignment,
                          int requestAlignment, int memAlignment, String alignmentSource, long maxTransfer,
                          Support zeroRange, Support punchHole, Support allocate, Support seekData) {

    /** A capability's answer; UNKNOWN when it could not be tested without touching user data. */
    public enum Support { YES, NO, UNKNOWN }
}
