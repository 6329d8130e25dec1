package io.streamnode.trigger;

import io.vertx.core.Future;

import java.util.function.Consumer;

/**
 * Where registered triggers are kept so that every node's dispatch knows them all: in memory on
 * one node, replicated across members in a cluster. A trigger belongs to the node it was
 * registered on and disappears with it.
 */
public interface TriggerCatalog {

  /**
   * Starts listening: {@code added} is called for every trigger already known and every one added
   * later, {@code removed} with the id of every one removed; both on the caller's context.
   */
  Future<Void> open(Consumer<Trigger> added, Consumer<String> removed);

  /** Adds or replaces (by id) a trigger registered on this node. */
  Future<Void> add(Trigger trigger);

  /** Removes a trigger by id; unknown ids are ignored. */
  Future<Void> remove(String id);

  /** Stops listening. */
  Future<Void> close();

  /** The catalog of a node without a cluster: changes apply at once, in this process only. */
  static TriggerCatalog local() {
    return new TriggerCatalog() {
      private Consumer<Trigger> added;
      private Consumer<String> removed;

      @Override
      public Future<Void> open(Consumer<Trigger> added, Consumer<String> removed) {
        this.added = added;
        this.removed = removed;
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> add(Trigger trigger) {
        added.accept(trigger);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> remove(String id) {
        removed.accept(id);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
