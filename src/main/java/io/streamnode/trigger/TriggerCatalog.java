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

  /**
   * Adds or replaces (by id) a trigger registered on this node.
   *
   * @param owner the registering connection (a worker id, a Java API worker's id); the last
   *     registration of an id wins, and only its owner may remove it
   */
  Future<Void> add(Trigger trigger, String owner);

  /**
   * Removes a trigger by id if {@code owner} registered its current version ({@code null}: whoever
   * did); completes with whether it was removed. Unknown ids are ignored.
   */
  Future<Boolean> remove(String id, String owner);

  /** Stops listening. */
  Future<Void> close();

  /** The catalog of a node without a cluster: changes apply at once, in this process only. */
  static TriggerCatalog local() {
    return new TriggerCatalog() {
      private Consumer<Trigger> added;
      private Consumer<String> removed;
      private final java.util.Map<String, String> owners = new java.util.HashMap<>();

      @Override
      public Future<Void> open(Consumer<Trigger> added, Consumer<String> removed) {
        this.added = added;
        this.removed = removed;
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> add(Trigger trigger, String owner) {
        owners.put(trigger.id(), owner);
        added.accept(trigger);
        return Future.succeededFuture();
      }

      @Override
      public Future<Boolean> remove(String id, String owner) {
        if (owner != null && owners.containsKey(id) && !owner.equals(owners.get(id))) {
          return Future.succeededFuture(false);
        }
        owners.remove(id);
        removed.accept(id);
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
