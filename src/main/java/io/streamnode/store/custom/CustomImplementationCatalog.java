package io.streamnode.store.custom;

import io.vertx.core.Future;

import java.util.function.BiConsumer;

/**
 * Which node serves which custom stream implementation ({@code stream::<op>(<stream_name>)}), so
 * that a group's owner delegates to one registered on any node: in memory on one node,
 * replicated across members in a cluster. An entry belongs to the node that serves the function
 * and disappears with it.
 */
public interface CustomImplementationCatalog {

  /**
   * Starts listening: {@code served} is called with (node, function id) for every entry already
   * known and every one added later, {@code withdrawn} for every one removed; both on the
   * caller's context, possibly more than once for one change.
   */
  Future<Void> open(BiConsumer<String, String> served, BiConsumer<String, String> withdrawn);

  /**
   * Records that this node serves {@code functionId}. The local {@code served} call happens
   * before this returns, so this node's own calls see the function at once; other members see
   * it when the entry reaches them.
   */
  Future<Void> add(String functionId);

  /** Records that this node no longer serves {@code functionId}; locally at once, as {@link #add}. */
  Future<Void> remove(String functionId);

  /** Stops listening. */
  Future<Void> close();

  /** The catalog of a node without a cluster: changes apply at once, in this process only. */
  public static CustomImplementationCatalog local() {
    return new CustomImplementationCatalog() {
      private static final String NODE = "local";
      private BiConsumer<String, String> served;
      private BiConsumer<String, String> withdrawn;

      @Override
      public Future<Void> open(BiConsumer<String, String> served, BiConsumer<String, String> withdrawn) {
        this.served = served;
        this.withdrawn = withdrawn;
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> add(String functionId) {
        served.accept(NODE, functionId);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> remove(String functionId) {
        withdrawn.accept(NODE, functionId);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
