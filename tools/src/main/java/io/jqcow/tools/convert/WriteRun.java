package io.jqcow.tools.convert;

/**
 * One target request decided for part of a chunk.
 *
 * @param at     position of the run in the chunk's buffer (and offset from the chunk start)
 * @param length bytes
 */
record WriteRun(Type type, int at, int length) {
    enum Type { WRITE, ZERO, COMPRESS }
}
