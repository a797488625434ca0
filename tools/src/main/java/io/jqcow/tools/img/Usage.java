package io.jqcow.tools.img;

import io.jqcow.tools.Main;
import io.jqcow.tools.ToolEnv;

/** qemu-img's usage errors: the message, then a pointer to --help, exit status 1. */
final class Usage {
    private Usage() {
    }

    static int fail(ToolEnv env, String message) {
        env.error(message);
        env.err().println("Try '" + Main.NAME + " --help' for more information");
        env.err().flush();
        return 1;
    }
}
