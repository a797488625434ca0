package io.jqcow.posix;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Per-filesystem overrides of the {@link FilesystemPolicy} defaults, read from the system property
 * {@value #PROPERTY} and the environment variable {@value #ENV}. One line, entries separated by
 * commas, blanks around tokens ignored:
 *
 * <pre>
 *   entry   := target [ '.' setting ] '=' value
 *   target  := fs-name            a {@link FilesystemType} name: xfs, ext4, btrfs, tmpfs, nfs, cifs, fuse, unknown, ...
 *            | '@' class          every filesystem of a class: @local, @remote, @fuse, @unknown
 *   setting := post-eof-serialise (the default when omitted) | alloc-zero-writes
 *   value   := off | async-only | always     for post-eof-serialise
 *            | on | off                      for alloc-zero-writes
 * </pre>
 *
 * Example: {@code xfs=always,ext4=off,@remote=async-only,tmpfs.alloc-zero-writes=off}.
 * A name entry beats a class entry. Parsing is strict: an unknown target, setting or value, a
 * missing '=', an empty entry or a target given twice is EINVAL naming the token. When both the
 * property and the environment are set their entries merge, the property winning per key.
 * The table is built by the opener and passed in; nothing here is global.
 */
public final class PolicyTable {

    public static final String PROPERTY = "jqcow.fs-policy";
    public static final String ENV = "JQCOW_FS_POLICY";

    /** The two things a table entry can set. */
    public enum Setting {
        POST_EOF_SERIALISE, ALLOC_ZERO_WRITES;

        public String optionName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One parsed entry.
     *
     * @param target  fs name or "@class"
     * @param setting what it sets
     * @param value   validated value text (off, async-only, always, on)
     * @param source  where it came from: {@value #ENV} or {@value #PROPERTY}
     * @param token   the entry as written, for rule strings and errors
     */
    public record Entry(String target, Setting setting, String value, String source, String token) {

        /** "JQCOW_FS_POLICY entry ext4=off". */
        public String rule() {
            return source + " entry " + token;
        }

        /** The post-EOF value (validated when parsed). */
        public PostEofSerialise postEof() {
            return PostEofSerialise.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        public boolean allocZeroWrites() {
            return value.equals("on");
        }
    }

    private record Key(String target, Setting setting) {
    }

    private final Map<Key, Entry> entries;

    private PolicyTable(Map<Key, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    public static PolicyTable empty() {
        return new PolicyTable(Map.of());
    }

    /** The table from {@code props} ({@value #PROPERTY}) over {@code env} ({@value #ENV}). */
    public static PolicyTable from(Map<String, String> env, Properties props) throws BlockException {
        PolicyTable fromEnv = parse(env.get(ENV), ENV);
        PolicyTable fromProps = parse(props.getProperty(PROPERTY), PROPERTY);
        Map<Key, Entry> merged = new LinkedHashMap<>(fromEnv.entries);
        merged.putAll(fromProps.entries);
        return new PolicyTable(merged);
    }

    /** Parses one line; null or blank is the empty table. {@code source} names it in rules and errors. */
    public static PolicyTable parse(String line, String source) throws BlockException {
        Map<Key, Entry> map = new LinkedHashMap<>();
        if (line == null || line.isBlank()) {
            return new PolicyTable(map);
        }
        for (String raw : line.split(",", -1)) {
            Entry e = parseEntry(raw.trim(), source);
            if (map.put(new Key(e.target(), e.setting()), e) != null) {
                throw invalid(source, e.token(), e.setting().optionName() + " for " + e.target() + " given twice");
            }
        }
        return new PolicyTable(map);
    }

    private static Entry parseEntry(String token, String source) throws BlockException {
        if (token.isEmpty()) {
            throw invalid(source, token, "empty entry");
        }
        int eq = token.indexOf('=');
        if (eq < 0) {
            throw invalid(source, token, "expected target=value");
        }
        String lhs = token.substring(0, eq).trim();
        String value = token.substring(eq + 1).trim();
        String target = lhs;
        Setting setting = Setting.POST_EOF_SERIALISE;
        int dot = lhs.indexOf('.');
        if (dot >= 0) {
            target = lhs.substring(0, dot).trim();
            setting = parseSetting(lhs.substring(dot + 1).trim(), source, token);
        }
        checkTarget(target, source, token);
        checkValue(setting, value, source, token);
        return new Entry(target, setting, value, source, token);
    }

    private static Setting parseSetting(String s, String source, String token) throws BlockException {
        for (Setting st : Setting.values()) {
            if (st.optionName().equals(s)) {
                return st;
            }
        }
        throw invalid(source, token, "unknown setting '" + s + "' (expected post-eof-serialise or alloc-zero-writes)");
    }

    private static void checkTarget(String target, String source, String token) throws BlockException {
        if (target.startsWith("@")) {
            String cls = target.substring(1);
            for (FilesystemType.FsClass c : FilesystemType.FsClass.values()) {
                if (c.lowerName().equals(cls)) {
                    return;
                }
            }
            throw invalid(source, token, "unknown filesystem class '" + target
                    + "' (expected @local, @remote, @fuse or @unknown)");
        }
        if (!target.equals(FilesystemType.UNKNOWN_NAME) && FilesystemType.byName(target).isEmpty()) {
            throw invalid(source, token, "unknown filesystem '" + target + "'");
        }
    }

    private static void checkValue(Setting setting, String value, String source, String token)
            throws BlockException {
        boolean ok = setting == Setting.POST_EOF_SERIALISE
                ? value.equals("off") || value.equals("async-only") || value.equals("always")
                : value.equals("on") || value.equals("off");
        if (!ok) {
            String expected = setting == Setting.POST_EOF_SERIALISE ? "off, async-only or always" : "on or off";
            throw invalid(source, token, "invalid value '" + value + "' (expected " + expected + ")");
        }
    }

    private static BlockException invalid(String source, String token, String why) {
        return new BlockException(Errno.EINVAL, "Invalid " + source + " entry '" + token + "': " + why);
    }

    /** The entry for this filesystem: by its name first, then by its class. */
    public Optional<Entry> lookup(FilesystemType fs, Setting setting) {
        Entry byName = entries.get(new Key(fs.name(), setting));
        if (byName != null) {
            return Optional.of(byName);
        }
        return Optional.ofNullable(entries.get(new Key("@" + fs.fsClass().lowerName(), setting)));
    }

    public int size() {
        return entries.size();
    }
}
