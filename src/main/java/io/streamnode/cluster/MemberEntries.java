package io.streamnode.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A Hazelcast replicated map whose entries each belong to the member that put them (what a worker
 * registered on that member: triggers, custom stream implementations). Every member hears of every
 * change on its Vert.x context; when a member leaves or dies the survivors remove its entries,
 * since its workers went with it. Hazelcast calls block, so they run in {@code executeBlocking}.
 */
final class MemberEntries {

  private static final Logger LOG = Logger.getLogger(MemberEntries.class.getName());

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String mapName;
  private final String what;
  private final Function<Map.Entry<String, String>, String> ownerOf;
  private final String localMember;
  private ReplicatedMap<String, String> map;
  private UUID entryListener;
  private UUID memberListener;

  /**
   * @param what what the entries are, for the log ("trigger(s)")
   * @param ownerOf the UUID of the member an entry belongs to
   */
  MemberEntries(Vertx vertx, HazelcastInstance hazelcast, String mapName, String what,
                Function<Map.Entry<String, String>, String> ownerOf) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.mapName = mapName;
    this.what = what;
    this.ownerOf = ownerOf;
    this.localMember = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** This member's UUID, as {@code ownerOf} must answer for the entries it puts. */
  String localMember() {
    return localMember;
  }

  /**
   * Starts listening; {@code put} gets (key, value) for each entry added or updated, the entries
   * already there first, and {@code removed} each key removed; both on the caller's context.
   */
  Future<Void> open(BiConsumer<String, String> put, Consumer<String> removed) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      map = hazelcast.getReplicatedMap(mapName);
      entryListener = map.addEntryListener(new EntryListener<>() {
        @Override
        public void entryAdded(EntryEvent<String, String> e) {
          context.runOnContext(v -> put.accept(e.getKey(), e.getValue()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> e) {
          context.runOnContext(v -> put.accept(e.getKey(), e.getValue()));
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
          vertx.executeBlocking(() -> removeEntriesOf(gone));
        }
      });
      for (Map.Entry<String, String> e : map.entrySet()) {
        context.runOnContext(v -> put.accept(e.getKey(), e.getValue()));
      }
      return null;
    });
  }

  Future<Void> put(String key, String value) {
    return vertx.executeBlocking(() -> {
      map.put(key, value);
      return null;
    });
  }

  Future<Void> remove(String key) {
    return vertx.executeBlocking(() -> {
      map.remove(key);
      return null;
    });
  }

  /**
   * Removes {@code key} when its current value passes {@code test}; completes with whether it did.
   * A replicated map has no compare-and-remove: a put landing between the read and the remove on
   * another member is lost with it (the window is one local map operation).
   */
  Future<Boolean> removeIf(String key, java.util.function.Predicate<String> test) {
    return vertx.executeBlocking(() -> {
      String current = map.get(key);
      if (current == null || !test.test(current)) {
        return false;
      }
      map.remove(key);
      return true;
    });
  }

  /** Stops listening; with {@code removeOwn}, also removes this member's entries. */
  Future<Void> close(boolean removeOwn) {
    if (map == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (hazelcast.getLifecycleService().isRunning()) {
        map.removeEntryListener(entryListener);
        hazelcast.getCluster().removeMembershipListener(memberListener);
        if (removeOwn) {
          removeEntriesOf(localMember);
        }
      }
      return null;
    });
  }

  private int removeEntriesOf(String member) {
    int n = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (member.equals(ownerOf.apply(e))) {
        map.remove(e.getKey());
        n++;
      }
    }
    if (n > 0) {
      LOG.info("removed " + n + " " + what + " of departed member " + member);
    }
    return n;
  }
}
