package io.jqcow.qcow2;

/** One raw header extension (type and payload without padding), kept verbatim when unknown. */
public record HeaderExtension(int type, byte[] data) {
    public static final int END = 0;
    public static final int BACKING_FORMAT = 0xE2792ACA;
    public static final int FEATURE_TABLE = 0x6803F857;
    public static final int BITMAPS = 0x23852875;
    public static final int FDE = 0x0537BE77;
    public static final int DATA_FILE = 0x44415441;

    /** Bytes the extension takes on disk: 8-byte type/length plus the payload padded to 8. */
    public int encodedLength() {
        return 8 + ((data.length + 7) & ~7);
    }
}
