package io.jqcow.block;

/** What a tracked request does; only used for messages and diagnostics. */
public enum RequestType {
    READ, WRITE, ZERO, DISCARD, TRUNCATE, FLUSH
}
