package io.streamnode.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Presence of a cluster: a Hazelcast multimap from group to entries (JSON text), which every
 * member reads directly. When a member leaves or dies, the survivors drop its entries as soon as
 * Hazelcast declares it gone (cluster.xml's {@code hazelcast.max.no.heartbeat.seconds}, 5 s):
 * each survivor removes them, which is idempotent. Hazelcast calls block, so they run on worker
 * threads, in order.
 */
final class HazelcastPresenceDirectory implements PresenceDirectory {

  private static final Logger LOG = Logger.getLogger(HazelcastPresenceDirectory.class.getName());
  /** The multimap's name (cluster-wide). */
  static final String MAP_NAME = "streamnode.presence";

  private final Vertx vertx;
  private final MultiMap<String, String> map;
  private final HazelcastInstance hazelcast;
  private final UUID listener;
  /** This node's entries: key -> (group key, stored text), to remove the exact value. */
  private final Map<String, String[]> local = new HashMap<>();

  HazelcastPresenceDirectory(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMultiMap(MAP_NAME);
    this.listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String gone = event.getMember().getUuid().toString();
        vertx.executeBlocking(() -> forget(gone)).onComplete(ar -> {
          if (ar.failed()) {
            LOG.warning("presence: could not drop the entries of departed member " + gone + ": " + ar.cause());
          } else if (ar.result() > 0) {
            LOG.info("presence: dropped " + ar.result() + " entries of departed member " + gone);
          }
        });
      }
    });
  }

  static String groupKey(String stream, String group) {
    return new JsonArray().add(stream).add(group).encode();
  }

  @Override
  public Future<Void> add(String stream, String group, String key, JsonObject entry) {
    String g = groupKey(stream, group);
    String text = entry.copy().put("key", key).encode();
    local.put(key, new String[] {g, text});
    return vertx.executeBlocking(() -> map.put(g, text)).mapEmpty();
  }

  @Override
  public Future<Void> remove(String stream, String group, String key) {
    String[] stored = local.remove(key);
    if (stored == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> map.remove(stored[0], stored[1])).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> list(String stream, String group) {
    String g = groupKey(stream, group);
    return vertx.executeBlocking(() -> {
      List<JsonObject> entries = new ArrayList<>();
      for (String text : map.get(g)) {
        JsonObject e = new JsonObject(text);
        e.remove("key");
        entries.add(e);
      }
      entries.sort(Comparator.comparingLong(e -> e.getLong("joined_at", 0L)));
      return entries;
    });
  }

  @Override
  public Future<Integer> count(String stream, String group) {
    String g = groupKey(stream, group);
    return vertx.executeBlocking(() -> map.valueCount(g));
  }

  /** Removes every entry of a departed member; returns how many. */
  private int forget(String node) {
    int removed = 0;
    for (String g : map.keySet()) {
      for (String text : map.get(g)) {
        if (node.equals(new JsonObject(text).getString("node")) && map.remove(g, text)) {
          removed++;
        }
      }
    }
    return removed;
  }

  @Override
  public Future<Void> close() {
    List<String[]> mine = new ArrayList<>(local.values());
    local.clear();
    return vertx.executeBlocking(() -> {
      hazelcast.getCluster().removeMembershipListener(listener);
      if (hazelcast.getLifecycleService().isRunning()) {
        for (String[] e : mine) {
          map.remove(e[0], e[1]);
        }
      }
      return null;
    }).mapEmpty();
  }
}
