package io.jqcow.tools;

import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Turns picocli's parse errors into one line in qemu-img's words where it has words for them. */
final class ParameterErrors {
    private ParameterErrors() {
    }

    static String describe(ParameterException ex) {
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
