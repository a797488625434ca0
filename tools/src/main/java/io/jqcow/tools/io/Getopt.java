package io.jqcow.tools.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Option parsing as GNU getopt does it for qemu-io's commands: options may come after operands
 * ("read 0 512 -q"), flags cluster ("-qv"), an option's value may be glued on ("-P0xab"), and "--"
 * ends the options. {@code spec} lists the letters; a ':' after a letter means it takes a value.
 */
final class Getopt {

    /** One option occurrence: its letter and, for letters that take one, its value. */
    record Option(char letter, String value) {
    }

    /** The result: options in the order given, then the operands. */
    record Parsed(List<Option> options, List<String> operands) {
    }

    /** A letter that is not in the spec, or a value that is missing; message is getopt's. */
    static final class GetoptException extends Exception {
        private static final long serialVersionUID = 1L;

        GetoptException(String message) {
            super(message);
        }
    }

    private Getopt() {
    }

    static Parsed parse(String command, List<String> args, String spec) throws GetoptException {
        List<Option> options = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!a.startsWith("-") || a.length() == 1) {
                operands.add(a);
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = spec.indexOf(c);
                if (at < 0 || c == ':') {
                    throw new GetoptException(command + ": invalid option -- '" + c + "'");
                }
                boolean takesValue = at + 1 < spec.length() && spec.charAt(at + 1) == ':';
                if (!takesValue) {
                    options.add(new Option(c, null));
                    continue;
                }
                if (k + 1 < a.length()) {
                    options.add(new Option(c, a.substring(k + 1)));
                } else if (i + 1 < args.size()) {
                    options.add(new Option(c, args.get(++i)));
                } else {
                    throw new GetoptException(command + ": option requires an argument -- '" + c + "'");
                }
                break;
            }
        }
        return new Parsed(options, operands);
    }
}
