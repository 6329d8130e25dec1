package io.streamnode.worker;

import io.vertx.core.Future;

import java.util.function.Consumer;

/**
 * Who registered each worker function id last, across the cluster, so that "the last registration
 * of an id wins" holds between nodes as it does on one node. On a single node the worker socket's
 * own bookkeeping is enough and {@link #local()} does nothing.
 */
public interface FunctionOwners {

  /**
   * Starts listening: {@code claimed} gets the id of every function claimed anywhere in the
   * cluster, on the caller's context; the caller then asks {@link #owner} who holds it now.
   */
  Future<Void> open(Consumer<String> claimed);

  /** Records {@code owner} (a worker id) as the latest registrant of {@code id}. */
  Future<Void> claim(String id, String owner);

  /** The current owner of {@code id}, or {@code null}. */
  Future<String> owner(String id);

  /** Forgets the claim if {@code owner} still holds it. */
  Future<Void> release(String id, String owner);

  Future<Void> close();

  /** A single node: nothing to share. */
  static FunctionOwners local() {
    return new FunctionOwners() {
      @Override
      public Future<Void> open(Consumer<String> claimed) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> claim(String id, String owner) {
        return Future.succeededFuture();
      }

      @Override
      public Future<String> owner(String id) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> release(String id, String owner) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
