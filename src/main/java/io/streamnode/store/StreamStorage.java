package io.streamnode.store;

import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.json.Json;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Where stream data lives: the seam between the store and an adapter (memory, file, Redis,
 * Hazelcast). Data is a three-level map {@code stream -> group -> item -> value}; values are
 * Vert.x JSON values ({@code JsonObject}, {@code JsonArray}, {@code String}, {@code Number},
 * {@code Boolean} or {@code null}) and are never mutated once stored.
 *
 * <p>Each group also has a {@link GroupPosition}, kept <em>with its data</em>: every write that
 * makes an event numbers it with the group's next offset in the same atomic step as the write, and
 * keeps it in the group's bounded history, so the order of a group survives whatever node applies
 * its next write, and a client can resume from a position through any node. When an adapter
 * loses a group's position (a restart of an in-memory store, a Redis that lost its keys, a group
 * emptied away) the group continues under a new epoch, never reusing old offsets.
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

  /**
   * What a write did: the previous value (or {@link #ABSENT}) and its event, {@code null} if none.
   * {@code replayed}: the write's call had been applied already (sent again after a failover), and
   * this is what it did then; {@code value} is the value it stored.
   */
  record Written(Object old, StreamEvent event, boolean replayed, Object value) {
    public Written(Object old, StreamEvent event) {
      this(old, event, false, null);
    }
  }

  /** A join's snapshot: the group's position and its data as of it, read atomically. */
  record Snapshot(GroupPosition position, Object data) {
  }

  /** Loads whatever the adapter keeps (files, connections). Called once before any other call. */
  Future<Void> open();

  /** The value of one item, or {@link #ABSENT}. */
  Future<Object> get(String stream, String group, String item);

  /**
   * Stores a value and numbers {@code event}, its gap filled with {@code create} or {@code update}.
   * Acknowledged = durable for this adapter.
   */
  Future<Written> set(String stream, String group, String item, Object value, EventDraft event);

  /** Removes an item and, if it existed, numbers {@code event} with the removed value in its gap. */
  Future<Written> delete(String stream, String group, String item, EventDraft event);

  /** {@link #set(String, String, String, Object, EventDraft)} for callers that need only the previous value. */
  default Future<Object> set(String stream, String group, String item, Object value) {
    EventDraft event = EventDraft.upsert(stream, group, item, System.currentTimeMillis(), Json.encodeToBuffer(value));
    return set(stream, group, item, value, event).map(Written::old);
  }

  /** {@link #delete(String, String, String, EventDraft)} for callers that need only the removed value. */
  default Future<Object> delete(String stream, String group, String item) {
    return delete(stream, group, item, EventDraft.deletion(stream, group, item, System.currentTimeMillis()))
        .map(Written::old);
  }

  /** Numbers an event that changes no data: a {@code stream::send}, or a custom implementation's change. */
  Future<StreamEvent> publish(EventDraft event);

  /** The group's values (item {@code null}, a JSON array) or one item's value ({@code null} if absent), with the position they are at. */
  Future<Snapshot> snapshot(String stream, String group, String item);

  /** The group's position now: its last event's, or offset 0 of its epoch before any. */
  Future<GroupPosition> position(String stream, String group);

  /**
   * The group's events after {@code since}, oldest first, or {@code null} when its history does not
   * hold all of them (another epoch, an offset beyond the group's, events dropped by the bounds).
   */
  Future<List<StreamEvent>> since(String stream, String group, GroupPosition since);

  /** The values of a group, in insertion order where the adapter keeps one; empty for an unknown group. */
  Future<List<Object>> list(String stream, String group);

  /** The group ids of a stream that hold at least one item. */
  Future<List<String>> listGroups(String stream);

  /** Every stream (sorted) with its groups (sorted). */
  Future<SortedMap<String, SortedSet<String>>> listAll();

  /** Flushes and releases resources. */
  Future<Void> close();
}
