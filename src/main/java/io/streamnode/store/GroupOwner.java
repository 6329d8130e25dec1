package io.streamnode.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Applies the operations of one (stream, group) one after another, on the store's context:
 * an operation starts only when the previous one has completed, so a read-modify-write
 * ({@code stream::update}) is atomic on this node. No locks: ordering comes from this single owner.
 *
 * <p>It holds no state of the group beyond its queue: the group's position lives with its data in
 * the storage, so an owner is dropped ({@code idle}) as soon as its queue is empty, and a node that
 * owns a group again later starts from what the storage holds.
 */
final class GroupOwner {

  private final GroupKey key;
  private final Consumer<GroupKey> idle;
  private int pending;
  private Future<?> tail = Future.succeededFuture();

  /** @param idle told (with the key) when the last queued operation has completed */
  GroupOwner(GroupKey key, Consumer<GroupKey> idle) {
    this.key = key;
    this.idle = idle;
  }

  GroupKey key() {
    return key;
  }

  /** Queues an operation behind the group's earlier ones. */
  <T> Future<T> run(Supplier<Future<T>> operation) {
    if (pending == 0) {
      // Nothing queued: run at once, the common case on a lightly loaded group.
      pending++;
      Future<T> result = start(operation);
      tail = result;
      result.onComplete(ar -> done());
      return result;
    }
    pending++;
    Promise<T> promise = Promise.promise();
    Future<?> previous = tail;
    tail = promise.future();
    previous.onComplete(ignored -> start(operation).onComplete(promise));
    promise.future().onComplete(ar -> done());
    return promise.future();
  }

  private void done() {
    if (--pending == 0) {
      idle.accept(key);
    }
  }

  private static <T> Future<T> start(Supplier<Future<T>> operation) {
    try {
      return operation.get();
    } catch (Throwable t) {
      return Future.failedFuture(t);
    }
  }
}
