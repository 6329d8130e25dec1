package io.streamnode.store;

import io.streamnode.store.event.EventDraft;
import io.vertx.core.Future;

/**
 * A storage that more than one node may write a group of without going through one queue (a
 * shared Redis; Hazelcast while a partition's ownership is moving), so a {@code stream::update}
 * (read, apply the ops, write) is a compare-and-set: it writes only if what it read is still
 * there, else reads again. A write routed by a stale view of who owns a group is then never
 * applied on top of a value another owner has changed meanwhile.
 */
public interface CompareAndSetStorage extends StreamStorage {

  /** A read for a compare-and-set: the value (or {@link #ABSENT}) and an opaque version of it. */
  record Read(Object value, Object version) {
  }

  /** Reads an item for {@link #replace}. */
  Future<Read> read(String stream, String group, String item);

  /**
   * Stores {@code value} and numbers {@code event} (as {@link #set}) only if the item is still as
   * {@code expected} was read; completes with {@code null}, writing nothing, if it changed.
   */
  Future<Written> replace(String stream, String group, String item, Read expected, Object value, EventDraft event);

  /** How many compare-and-set rounds a {@code stream::update} may take before it fails. */
  int maxUpdateAttempts();
}
