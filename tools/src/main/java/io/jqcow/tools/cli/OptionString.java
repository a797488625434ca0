package io.jqcow.tools.cli;

import io.jqcow.tools.ToolException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * qemu-img's "-o key=value,key2=value2" strings. A doubled comma ",," is a literal comma inside a
 * value; a bare key means "key=on"; a later key overrides an earlier one.
 */
public final class OptionString {
    private OptionString() {
    }

    public static Map<String, String> parse(String text) throws ToolException {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            StringBuilder key = new StringBuilder();
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != ',') {
                key.append(text.charAt(i++));
            }
            String value = "on";
            if (i < n && text.charAt(i) == '=') {
                i++;
                StringBuilder v = new StringBuilder();
                while (i < n) {
                    char c = text.charAt(i);
                    if (c == ',') {
                        if (i + 1 < n && text.charAt(i + 1) == ',') {
                            v.append(',');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    v.append(c);
                    i++;
                }
                value = v.toString();
            }
            if (key.length() == 0) {
                throw new ToolException("Invalid parameter ''");
            }
            out.put(key.toString(), value);
            if (i < n) {
                i++; // the separating comma
            }
        }
        return out;
    }

    /** Several -o options accumulate like qemu-img does (joined with commas, later ones win). */
    public static Map<String, String> parseAll(Iterable<String> texts) throws ToolException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : texts) {
            out.putAll(parse(t));
        }
        return out;
    }
}
