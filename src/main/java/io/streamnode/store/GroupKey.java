package io.streamnode.store;

/** A (stream, group) pair: the unit of ordering and ownership. */
public record GroupKey(String stream, String group) {
}
