/**
 * {@code jqcow io}: qemu-io's command language. {@link io.jqcow.tools.io.IoShell} parses lines and
 * dispatches to one small class per command; output matches qemu-io 7.2 apart from timings.
 */
package io.jqcow.tools.io;
