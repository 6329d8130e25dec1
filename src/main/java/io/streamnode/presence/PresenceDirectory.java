package io.streamnode.presence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Where presence lives: the subscriptions of every group, each an entry
 * {@code {subscription_id, context, node, joined_at}} under a key unique in the cluster. Read by
 * {@code streamnode::presence} from any node without asking the others. Called from one context.
 */
public interface PresenceDirectory {

  Future<Void> add(String stream, String group, String key, JsonObject entry);

  Future<Void> remove(String stream, String group, String key);

  /** The entries of a group, oldest join first. */
  Future<List<JsonObject>> list(String stream, String group);

  /** The number of entries of a group. */
  Future<Integer> count(String stream, String group);

  /**
   * Delivers a coalesced notice to the gateways of every node: by default a publish on the
   * (clustered) event bus; nodes that share only a Redis relay it through Redis.
   */
  default void publish(io.vertx.core.Vertx vertx, JsonObject notice) {
    vertx.eventBus().publish(PresenceAddresses.NOTICES, notice);
  }

  Future<Void> close();
}
