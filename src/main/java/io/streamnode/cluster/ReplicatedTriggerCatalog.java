package io.streamnode.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.streamnode.trigger.Trigger;
import io.streamnode.trigger.TriggerCatalog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The trigger catalog of a cluster: a Hazelcast replicated map {@value #MAP_NAME} (trigger id ->
 * trigger JSON with the id of the node it was registered on), so every member's dispatch knows
 * every trigger and the group owner can fire each event's triggers exactly once. When a member
 * leaves or dies, the survivors remove its triggers (its workers went with it).
 */
public final class ReplicatedTriggerCatalog implements TriggerCatalog {

  /** The Hazelcast replicated map holding the triggers. */
  public static final String MAP_NAME = "streamnode.triggers";
  private static final Logger LOG = Logger.getLogger(ReplicatedTriggerCatalog.class.getName());

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String localNode;
  private ReplicatedMap<String, String> map;
  private UUID entryListener;
  private UUID memberListener;

  public ReplicatedTriggerCatalog(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.localNode = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  @Override
  public Future<Void> open(Consumer<Trigger> added, Consumer<String> removed) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      map = hazelcast.getReplicatedMap(MAP_NAME);
      entryListener = map.addEntryListener(new EntryListener<>() {
        @Override
        public void entryAdded(EntryEvent<String, String> e) {
          context.runOnContext(v -> added.accept(decode(e.getValue())));
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> e) {
          context.runOnContext(v -> added.accept(decode(e.getValue())));
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> e) {
          context.runOnContext(v -> removed.accept(e.getKey()));
        }

        @Override
        public void entryEvicted(EntryEvent<String, String> e) {
          context.runOnContext(v -> removed.accept(e.getKey()));
        }

        @Override
        public void entryExpired(EntryEvent<String, String> e) {
          context.runOnContext(v -> removed.accept(e.getKey()));
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
          vertx.executeBlocking(() -> removeTriggersOf(gone));
        }
      });
      for (String json : map.values()) {
        Trigger t = decode(json);
        context.runOnContext(v -> added.accept(t));
      }
      return null;
    });
  }

  private int removeTriggersOf(String node) {
    int n = 0;
    for (var e : map.entrySet()) {
      if (node.equals(new JsonObject(e.getValue()).getString("node"))) {
        map.remove(e.getKey());
        n++;
      }
    }
    if (n > 0) {
      LOG.info("removed " + n + " trigger(s) of departed member " + node);
    }
    return n;
  }

  @Override
  public Future<Void> add(Trigger trigger) {
    String json = trigger.toJson().put("node", localNode).encode();
    return vertx.executeBlocking(() -> {
      map.put(trigger.id(), json);
      return null;
    });
  }

  @Override
  public Future<Void> remove(String id) {
    return vertx.executeBlocking(() -> {
      map.remove(id);
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
      }
      return null;
    });
  }

  private static Trigger decode(String json) {
    return Trigger.fromJson(new JsonObject(json));
  }
}
