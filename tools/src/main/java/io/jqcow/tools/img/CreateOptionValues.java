package io.jqcow.tools.img;

import io.jqcow.image.CreateOption;
import io.jqcow.tools.cli.SizeParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks -o values against their declared types before anything is created, normalising sizes to
 * plain byte counts; a failure carries qemu-img's message lines (the first one gets the prefix).
 */
final class CreateOptionValues {
    /** A bad -o option: message lines as qemu-img prints them. */
    static final class BadOption extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> lines;

        BadOption(String... lines) {
            super(lines[0]);
            this.lines = List.of(lines);
        }

        List<String> lines() {
            return lines;
        }
    }

    private CreateOptionValues() {
    }

    static Map<String, String> check(Map<String, String> given, List<CreateOption> known) throws BadOption {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            CreateOption o = CreateOption.find(known, e.getKey());
            if (o == null) {
                throw new BadOption("Invalid parameter '" + e.getKey() + "'");
            }
            out.put(e.getKey(), normalise(o, e.getValue()));
        }
        return out;
    }

    private static String normalise(CreateOption o, String v) throws BadOption {
        switch (o.type()) {
            case CreateOption.BOOL -> {
                if (!List.of("on", "off", "yes", "no", "true", "false").contains(v)) {
                    throw new BadOption("Parameter '" + o.name() + "' expects 'on' or 'off'");
                }
                return v;
            }
            case CreateOption.SIZE -> {
                try {
                    return Long.toString(SizeParser.parse(v));
                } catch (SizeParser.SizeFormatException ex) {
                    throw new BadOption("Parameter '" + o.name() + "' expects a non-negative number below 2^64",
                            "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-",
                            "and exabytes, respectively.");
                }
            }
            case CreateOption.NUM -> {
                if (!v.matches("[0-9]+")) {
                    throw new BadOption("Parameter '" + o.name() + "' expects a number");
                }
                return v;
            }
            default -> {
                return v;
            }
        }
    }

    /** qemu-img's "-o help" listing. */
    static String help(String format, List<CreateOption> options, boolean withProtocol) {
        StringBuilder sb = new StringBuilder(withProtocol ? "Supported options:\n"
                : "Supported " + format + " options:\n");
        for (CreateOption o : options) {
            sb.append(String.format(java.util.Locale.ROOT, "  %-22s - %s\n", o.name() + "=<" + o.type() + ">",
                    o.help()));
        }
        if (!withProtocol) {
            sb.append("\nThe protocol level may support further options.\n"
                    + "Specify the target filename to include those options.\n");
        }
        return sb.toString();
    }
}
