package io.streamnode.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Supplier;

/**
 * Applies the operations of one (stream, group) one after another, on the store's context:
 * an operation starts only when the previous one has completed, so a read-modify-write
 * ({@code stream::update}) is atomic and every event of the group gets the next sequence number
 * in the order the writes were applied. No locks: ordering comes from this single owner.
 */
final class GroupOwner {

  private final GroupKey key;
  private final String address;
  private long seq;
  private int pending;
  private Future<?> tail = Future.succeededFuture();

  GroupOwner(GroupKey key) {
    this.key = key;
    this.address = StoreAddresses.group(key.stream(), key.group());
    // Seeded from the clock (microseconds) rather than 0: when ownership of the group moves to
    // another node, the new owner's numbers continue above the old owner's (unless the old one
    // averaged over a million events a second), so subscribers can keep ordering by seq.
    this.seq = System.currentTimeMillis() * 1000;
  }

  GroupKey key() {
    return key;
  }

  /** The address this group's events are published on. */
  String address() {
    return address;
  }

  /** Takes the next sequence number; call only from inside an operation. */
  long nextSeq() {
    return ++seq;
  }

  /** The sequence number of the last event, for snapshots. */
  long seq() {
    return seq;
  }

  /** Queues an operation behind the group's earlier ones. */
  <T> Future<T> run(Supplier<Future<T>> operation) {
    if (pending == 0) {
      // Nothing queued: run at once, the common case on a lightly loaded group.
      pending++;
      Future<T> result = start(operation);
      tail = result;
      result.onComplete(ar -> pending--);
      return result;
    }
    pending++;
    Promise<T> promise = Promise.promise();
    Future<?> previous = tail;
    tail = promise.future();
    previous.onComplete(ignored -> start(operation).onComplete(promise));
    promise.future().onComplete(ar -> pending--);
    return promise.future();
  }

  private static <T> Future<T> start(Supplier<Future<T>> operation) {
    try {
      return operation.get();
    } catch (Throwable t) {
      return Future.failedFuture(t);
    }
  }
}
