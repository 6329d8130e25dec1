package io.streamnode.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.streamnode.store.custom.CustomImplementationCatalog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.BiConsumer;

/**
 * The custom stream implementations of a cluster: a Hazelcast replicated map {@value #MAP_NAME}
 * with one entry per (node, function id), key {@code <node>|<function id>}, so every member's
 * store knows which streams have a custom implementation somewhere, the same way
 * {@link ReplicatedTriggerCatalog} shares triggers. Reads are in memory on every member. When a
 * member leaves or dies, the survivors remove its entries (its workers went with it).
 */
public final class ReplicatedCustomImplementationCatalog implements CustomImplementationCatalog {

  /** The Hazelcast replicated map holding the entries. */
  public static final String MAP_NAME = "streamnode.custom-implementations";
  private static final char SEPARATOR = '|'; // never in a member UUID

  private final MemberEntries entries;
  private BiConsumer<String, String> served;
  private BiConsumer<String, String> withdrawn;

  public ReplicatedCustomImplementationCatalog(Vertx vertx, HazelcastInstance hazelcast) {
    this.entries = new MemberEntries(vertx, hazelcast, MAP_NAME, "custom stream implementation(s)",
        e -> e.getKey().substring(0, Math.max(0, e.getKey().indexOf(SEPARATOR))));
  }

  @Override
  public Future<Void> open(BiConsumer<String, String> served, BiConsumer<String, String> withdrawn) {
    this.served = served;
    this.withdrawn = withdrawn;
    return entries.open((key, functionId) -> report(key, served), key -> report(key, withdrawn));
  }

  /** Hands an entry change to the store; this node's own entries were reported when made. */
  private void report(String key, BiConsumer<String, String> to) {
    int at = key.indexOf(SEPARATOR);
    if (at < 0) {
      return;
    }
    String node = key.substring(0, at);
    if (!node.equals(entries.localMember())) {
      to.accept(node, key.substring(at + 1));
    }
  }

  @Override
  public Future<Void> add(String functionId) {
    served.accept(entries.localMember(), functionId);
    return entries.put(entries.localMember() + SEPARATOR + functionId, functionId);
  }

  @Override
  public Future<Void> remove(String functionId) {
    withdrawn.accept(entries.localMember(), functionId);
    return entries.remove(entries.localMember() + SEPARATOR + functionId);
  }

  @Override
  public Future<Void> close() {
    // This node's store is going: its entries would only send other members to the adapter
    // after a failed call. (A member that dies is cleaned up by the survivors instead.)
    return entries.close(true);
  }
}
