package io.streamnode.store;

import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.StreamEvent;

import io.vertx.core.Future;

/**
 * A storage shared by several nodes that also carries the events: each write, the group's next
 * sequence number and the event's publication to every node are one atomic step, so the order
 * in which writes are stored is the order every node delivers them in. Each node republishes
 * the events it receives (its own included) on the local group addresses
 * ({@link StoreAddresses#group}); the store sends the events of its own writes to local
 * trigger dispatch only.
 *
 * <p>The store uses these methods instead of the plain {@link StreamStorage} writes. Same
 * threading rules as {@link StreamStorage}. Failures to reach the storage are
 * {@link StorageUnavailableException}s.
 */
public interface PublishingStorage extends StreamStorage {

  /** What a write did: the previous value (or {@link #ABSENT}) and the event published, {@code null} if none. */
  record Written(Object old, StreamEvent event) {
  }

  /** A read for a compare-and-set: the value (or {@link #ABSENT}) and an opaque version of it. */
  record Read(Object value, Object version) {
  }

  /** A join's snapshot: the group's last sequence number and the data as of it, read atomically. */
  record Snapshot(long seq, Object data) {
  }

  /** Stores a value and publishes {@code event} with its gap filled by {@code create} or {@code update}. */
  Future<Written> set(String stream, String group, String item, Object value, EventDraft event);

  /** Removes an item and, if it existed, publishes {@code event} with the removed value in the gap. */
  Future<Written> delete(String stream, String group, String item, EventDraft event);

  /** Reads an item for {@link #replace}. */
  Future<Read> read(String stream, String group, String item);

  /**
   * Stores {@code value} and publishes {@code event} (as {@link #set}) only if the item is still
   * as {@code expected} was read; completes with {@code null}, writing nothing, if it changed.
   */
  Future<Written> replace(String stream, String group, String item, Read expected, Object value, EventDraft event);

  /** Publishes a custom event (the draft has an empty gap). */
  Future<StreamEvent> publish(EventDraft event);

  /** The group's items (or one item, {@code item != null}, {@code null} if absent) and last sequence number. */
  Future<Snapshot> snapshot(String stream, String group, String item);

  /** The group's last sequence number (0 when it has none yet). */
  Future<Long> seq(String stream, String group);

  /** How many compare-and-set rounds a {@code stream::update} may take before it fails. */
  int maxUpdateAttempts();
}
