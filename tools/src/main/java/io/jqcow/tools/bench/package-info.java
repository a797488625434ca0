/** {@code jqcow bench}: qemu-img bench's sequential I/O benchmark over the async node API. */
package io.jqcow.tools.bench;
