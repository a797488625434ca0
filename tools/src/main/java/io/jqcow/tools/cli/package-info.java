/**
 * Pieces every command shares and qemu defines by behaviour: size and number parsing, human-readable
 * sizes, timing, progress lines, -o option strings, device bounds and aligned buffers.
 */
package io.jqcow.tools.cli;
