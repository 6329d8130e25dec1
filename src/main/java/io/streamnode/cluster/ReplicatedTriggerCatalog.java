package io.streamnode.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.streamnode.trigger.Trigger;
import io.streamnode.trigger.TriggerCatalog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;

/**
 * The trigger catalog of a cluster: a Hazelcast replicated map {@value #MAP_NAME} (trigger id ->
 * trigger JSON with the id of the node it was registered on), so every member's dispatch knows
 * every trigger and the group owner can fire each event's triggers exactly once. When a member
 * leaves or dies, the survivors remove its triggers (its workers went with it).
 */
public final class ReplicatedTriggerCatalog implements TriggerCatalog {

  /** The Hazelcast replicated map holding the triggers. */
  public static final String MAP_NAME = "streamnode.triggers";

  private final MemberEntries entries;

  public ReplicatedTriggerCatalog(Vertx vertx, HazelcastInstance hazelcast) {
    this.entries = new MemberEntries(vertx, hazelcast, MAP_NAME, "trigger(s)",
        e -> new JsonObject(e.getValue()).getString("node"));
  }

  @Override
  public Future<Void> open(Consumer<Trigger> added, Consumer<String> removed) {
    return entries.open((id, json) -> added.accept(Trigger.fromJson(new JsonObject(json))), removed);
  }

  @Override
  public Future<Void> add(Trigger trigger, String owner) {
    return entries.put(trigger.id(), trigger.toJson().put("node", entries.localMember()).put("owner", owner).encode());
  }

  /**
   * Removes the entry only when {@code owner} put its current version: a worker that reconnected
   * through another member and registered the id again keeps it when its old member cleans up.
   */
  @Override
  public Future<Boolean> remove(String id, String owner) {
    return entries.removeIf(id, json -> owner == null || owner.equals(new JsonObject(json).getString("owner")));
  }

  @Override
  public Future<Void> close() {
    return entries.close(false);
  }
}
