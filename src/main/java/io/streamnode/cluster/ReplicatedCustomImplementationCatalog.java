package io.streamnode.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.streamnode.store.CustomImplementationCatalog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

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
  private static final Logger LOG = Logger.getLogger(ReplicatedCustomImplementationCatalog.class.getName());
  private static final char SEPARATOR = '|'; // never in a member UUID

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String localNode;
  private BiConsumer<String, String> served;
  private BiConsumer<String, String> withdrawn;
  private ReplicatedMap<String, String> map;
  private UUID entryListener;
  private UUID memberListener;

  public ReplicatedCustomImplementationCatalog(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.localNode = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  @Override
  public Future<Void> open(BiConsumer<String, String> served, BiConsumer<String, String> withdrawn) {
    this.served = served;
    this.withdrawn = withdrawn;
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      map = hazelcast.getReplicatedMap(MAP_NAME);
      entryListener = map.addEntryListener(new EntryListener<>() {
        @Override
        public void entryAdded(EntryEvent<String, String> e) {
          report(context, e.getKey(), served);
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> e) {
          report(context, e.getKey(), served);
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> e) {
          report(context, e.getKey(), withdrawn);
        }

        @Override
        public void entryEvicted(EntryEvent<String, String> e) {
          report(context, e.getKey(), withdrawn);
        }

        @Override
        public void entryExpired(EntryEvent<String, String> e) {
          report(context, e.getKey(), withdrawn);
        }

        @Override
        public void mapCleared(MapEvent e) {
        }

        @Override
        public void mapEvicted(MapEvent e) {
        }
      });
      memberListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent e) {
        }

        @Override
        public void memberRemoved(MembershipEvent e) {
          String gone = e.getMember().getUuid().toString();
          vertx.executeBlocking(() -> removeEntriesOf(gone));
        }
      });
      for (String key : map.keySet()) {
        report(context, key, served);
      }
      return null;
    });
  }

  /** Hands an entry change to the store; this node's own entries were reported when made. */
  private void report(Context context, String key, BiConsumer<String, String> to) {
    int at = key.indexOf(SEPARATOR);
    if (at < 0) {
      return;
    }
    String node = key.substring(0, at);
    if (!node.equals(localNode)) {
      String functionId = key.substring(at + 1);
      context.runOnContext(v -> to.accept(node, functionId));
    }
  }

  private int removeEntriesOf(String node) {
    String prefix = node + SEPARATOR;
    int n = 0;
    for (String key : map.keySet()) {
      if (key.startsWith(prefix)) {
        map.remove(key);
        n++;
      }
    }
    if (n > 0) {
      LOG.info("removed " + n + " custom stream implementation(s) of departed member " + node);
    }
    return n;
  }

  @Override
  public Future<Void> add(String functionId) {
    served.accept(localNode, functionId);
    String key = localNode + SEPARATOR + functionId;
    return vertx.executeBlocking(() -> {
      map.put(key, functionId);
      return null;
    });
  }

  @Override
  public Future<Void> remove(String functionId) {
    withdrawn.accept(localNode, functionId);
    String key = localNode + SEPARATOR + functionId;
    return vertx.executeBlocking(() -> {
      map.remove(key);
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    if (map == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (hazelcast.getLifecycleService().isRunning()) {
        map.removeEntryListener(entryListener);
        hazelcast.getCluster().removeMembershipListener(memberListener);
        // This node's store is going: its entries would only send other members to the adapter
        // after a failed call. (A member that dies is cleaned up by the survivors instead.)
        removeEntriesOf(localNode);
      }
      return null;
    });
  }
}
