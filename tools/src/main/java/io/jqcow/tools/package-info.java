/**
 * The jqcow command line. {@link io.jqcow.tools.Main} wires one picocli subcommand class per
 * command (io, bench, ...); commands reach images only through {@link io.jqcow.tools.ImageOpener}
 * and print only through {@link io.jqcow.tools.ToolEnv}, so tests run them in-process.
 */
package io.jqcow.tools;
