package io.streamnode.store;

import io.vertx.core.Future;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Where stream data lives: the seam between the store and an adapter (memory, file, Redis,
 * Hazelcast). Data is a three-level map {@code stream -> group -> item -> value}; values are
 * Vert.x JSON values ({@code JsonObject}, {@code JsonArray}, {@code String}, {@code Number},
 * {@code Boolean} or {@code null}) and are never mutated once stored.
 *
 * <p>Threading: the store calls an instance from one context only, and never issues two writes
 * to the same group concurrently (the group's owner serializes them), so implementations need
 * no locks of their own. Futures complete on the caller's context.
 */
public interface StreamStorage {

  /** Returned for an item that does not exist; distinct from a stored JSON {@code null}. */
  Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "ABSENT";
    }
  };

  /** Loads whatever the adapter keeps (files, connections). Called once before any other call. */
  Future<Void> open();

  /** The value of one item, or {@link #ABSENT}. */
  Future<Object> get(String stream, String group, String item);

  /** Stores a value; returns the previous value or {@link #ABSENT}. Acknowledged = durable for this adapter. */
  Future<Object> set(String stream, String group, String item, Object value);

  /** Removes an item; returns the removed value or {@link #ABSENT}. */
  Future<Object> delete(String stream, String group, String item);

  /** The values of a group, in insertion order where the adapter keeps one; empty for an unknown group. */
  Future<List<Object>> list(String stream, String group);

  /** The group ids of a stream that hold at least one item. */
  Future<List<String>> listGroups(String stream);

  /** Every stream (sorted) with its groups (sorted). */
  Future<SortedMap<String, SortedSet<String>>> listAll();

  /** Flushes and releases resources. */
  Future<Void> close();
}
