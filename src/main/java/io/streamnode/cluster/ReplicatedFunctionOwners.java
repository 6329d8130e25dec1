package io.streamnode.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.streamnode.worker.FunctionOwners;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * The latest registrant of each worker function id, in a Hazelcast map {@value #MAP_NAME}
 * (id -> worker id). A partitioned map, not a replicated one: reads and conditional removals of a
 * key are consistent, so every node agrees on the winner. A claim event only says "look again":
 * the node reads the current owner before it lets its own worker's registration go.
 */
public final class ReplicatedFunctionOwners implements FunctionOwners {

  /** The Hazelcast map of function owners. */
  public static final String MAP_NAME = "streamnode.function-owners";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private IMap<String, String> map;
  private UUID listener;

  public ReplicatedFunctionOwners(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  private interface Listener extends EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
  }

  @Override
  public Future<Void> open(Consumer<String> claimed) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      map = hazelcast.getMap(MAP_NAME);
      listener = map.addEntryListener(new Listener() {
        @Override
        public void entryAdded(EntryEvent<String, String> e) {
          context.runOnContext(v -> claimed.accept(e.getKey()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> e) {
          context.runOnContext(v -> claimed.accept(e.getKey()));
        }
      }, false);
      return null;
    });
  }

  @Override
  public Future<Void> claim(String id, String owner) {
    return vertx.executeBlocking(() -> {
      map.set(id, owner);
      return null;
    });
  }

  @Override
  public Future<String> owner(String id) {
    return vertx.executeBlocking(() -> map.get(id));
  }

  @Override
  public Future<Void> release(String id, String owner) {
    return vertx.executeBlocking(() -> {
      map.remove(id, owner);
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
        map.removeEntryListener(listener);
      }
      return null;
    });
  }
}
