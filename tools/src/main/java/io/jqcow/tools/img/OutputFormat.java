package io.jqcow.tools.img;

import io.jqcow.tools.ToolException;

/** --output=human|json, with qemu-img's complaint for anything else. */
final class OutputFormat {
    private OutputFormat() {
    }

    static boolean isJson(String value) throws ToolException {
        return switch (value) {
            case "json" -> true;
            case "human" -> false;
            default -> throw new ToolException("--output must be used with human or json as argument.");
        };
    }
}
