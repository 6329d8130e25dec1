package io.streamnode.store;

import io.vertx.core.Future;

/**
 * A storage shared by several nodes that also carries the events: each write, the group's next
 * position and the event's publication to every node are one atomic step, so the order in which
 * writes are stored is the order every node delivers them in. Each node republishes the events it
 * receives (its own included) on the local group addresses ({@link StoreAddresses#group}); the
 * store sends the events of its own writes to local trigger dispatch only.
 *
 * <p>Since other nodes write the same groups without going through this node's group owner, a
 * {@code stream::update} is a compare-and-set ({@link #read} then {@link #replace}). Same
 * threading rules as {@link StreamStorage}. Failures to reach the storage are
 * {@link StorageUnavailableException}s.
 */
public interface PublishingStorage extends StreamStorage {

  /** A read for a compare-and-set: the value (or {@link #ABSENT}) and an opaque version of it. */
  record Read(Object value, Object version) {
  }

  /** Reads an item for {@link #replace}. */
  Future<Read> read(String stream, String group, String item);

  /**
   * Stores {@code value} and publishes {@code event} (as {@link #set}) only if the item is still
   * as {@code expected} was read; completes with {@code null}, writing nothing, if it changed.
   */
  Future<Written> replace(String stream, String group, String item, Read expected, Object value,
                          io.streamnode.store.event.EventDraft event);

  /** How many compare-and-set rounds a {@code stream::update} may take before it fails. */
  int maxUpdateAttempts();
}
