package io.jqcow.tools;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Turns picocli's parse errors into one line in qemu-img's words where it has words for them. */
final class ParameterErrors {
    private ParameterErrors() {
    }

    private static final Pattern OPTION_NAME = Pattern.compile("for option '([^']+)'");

    /**
     * Whether qemu-img would follow the message with "Try 'qemu-img --help' for more information":
     * it does for the errors its getopt loop reports (unknown option, missing option argument,
     * unknown command), in every qemu-img command. qemu-io (our {@code io}) never does.
     *
     * @param line what {@link #describe} made of it
     */
    static boolean pointsToHelp(ParameterException ex, String line) {
        if ("io".equals(ex.getCommandLine().getCommandName())) {
            return false;
        }
        return line.startsWith("unrecognized option '") || line.startsWith("missing argument for option '")
                || line.startsWith("Command not found: ");
    }

    static String describe(ParameterException ex) {
        boolean qemuIo = "io".equals(ex.getCommandLine().getCommandName());
        if (ex instanceof MissingParameterException && !qemuIo) {
            Matcher m = OPTION_NAME.matcher(String.valueOf(ex.getMessage()));
            if (m.find()) {
                return "missing argument for option '" + m.group(1) + "'";
            }
        }
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            if (first.startsWith("-") && first.length() > 1) {
                return "unrecognized option '" + first + "'";
            }
            if (u.getCommandLine().getParent() == null) {
                return "Command not found: " + first;
            }
            return "unexpected argument '" + first + "'";
        }
        // picocli may notice a missing operand before an unknown option; qemu-img names the option.
        for (String arg : ex.getCommandLine().getUnmatchedArguments()) {
            if (arg.startsWith("-") && arg.length() > 1) {
                return "unrecognized option '" + arg + "'";
            }
        }
        String msg = String.valueOf(ex.getMessage());
        int nl = msg.indexOf('\n');
        return (nl < 0 ? msg : msg.substring(0, nl)).strip();
    }
}
