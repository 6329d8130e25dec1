package io.streamnode.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.streamnode.store.StreamStorage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * The kv adapter in cluster mode: one entry per group in the Hazelcast map
 * {@value #MAP_NAME} (an ordered item -> JSON text map), so a group lives on one partition and
 * its owner member is the group's owner. Every change is an entry processor: it runs on the
 * partition's thread, atomically, and is applied to the synchronous backup before it is
 * acknowledged, so losing one member loses no acknowledged write (backup-count 1, see cluster.xml).
 */
public final class HazelcastStorage implements StreamStorage {

  /** The Hazelcast map holding the groups. */
  public static final String MAP_NAME = "streamnode.groups";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private IMap<String, LinkedHashMap<String, String>> groups;
  private Context context;

  public HazelcastStorage(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  /** The map key of a group; also the key whose partition owner owns the group. */
  public static String key(String stream, String group) {
    return stream.length() + ":" + stream + "/" + group;
  }

  private static String streamOf(String key) {
    int colon = key.indexOf(':');
    int len = Integer.parseInt(key.substring(0, colon));
    return key.substring(colon + 1, colon + 1 + len);
  }

  private static String groupOf(String key) {
    int colon = key.indexOf(':');
    int len = Integer.parseInt(key.substring(0, colon));
    return key.substring(colon + 2 + len);
  }

  @Override
  public Future<Void> open() {
    context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      groups = hazelcast.getMap(MAP_NAME);
      return null;
    });
  }

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return on(groups.submitToKey(key(stream, group), new ReadItem(item))).map(HazelcastStorage::decode);
  }

  @Override
  public Future<Object> set(String stream, String group, String item, Object value) {
    return on(groups.submitToKey(key(stream, group), new SetItem(item, Json.encode(value)))).map(HazelcastStorage::decode);
  }

  @Override
  public Future<Object> delete(String stream, String group, String item) {
    return on(groups.submitToKey(key(stream, group), new DeleteItem(item))).map(HazelcastStorage::decode);
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    return on(groups.submitToKey(key(stream, group), new ReadValues())).map(values -> {
      List<Object> out = new ArrayList<>(values.size());
      values.forEach(v -> out.add(Json.decodeValue(v)));
      return out;
    });
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    // A cluster-wide key scan: fine for an administrative listing, not for a hot path.
    return vertx.executeBlocking(() -> {
      List<String> out = new ArrayList<>();
      for (String k : groups.keySet()) {
        if (streamOf(k).equals(stream)) {
          out.add(groupOf(k));
        }
      }
      return out;
    });
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    return vertx.executeBlocking(() -> {
      SortedMap<String, SortedSet<String>> all = new TreeMap<>();
      for (String k : groups.keySet()) {
        all.computeIfAbsent(streamOf(k), s -> new TreeSet<>()).add(groupOf(k));
      }
      return all;
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private <T> Future<T> on(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }

  private static Object decode(String json) {
    return json == null ? ABSENT : Json.decodeValue(json);
  }

  /** Stores one item; returns the old JSON text or null. */
  static final class SetItem implements EntryProcessor<String, LinkedHashMap<String, String>, String> {
    private static final long serialVersionUID = 1L;
    private final String item;
    private final String json;

    SetItem(String item, String json) {
      this.item = item;
      this.json = json;
    }

    @Override
    public String process(Map.Entry<String, LinkedHashMap<String, String>> entry) {
      LinkedHashMap<String, String> items = entry.getValue();
      if (items == null) {
        items = new LinkedHashMap<>();
      }
      String old = items.put(item, json);
      entry.setValue(items);
      return old;
    }
  }

  /** Removes one item; an emptied group disappears. Returns the old JSON text or null. */
  static final class DeleteItem implements EntryProcessor<String, LinkedHashMap<String, String>, String> {
    private static final long serialVersionUID = 1L;
    private final String item;

    DeleteItem(String item) {
      this.item = item;
    }

    @Override
    public String process(Map.Entry<String, LinkedHashMap<String, String>> entry) {
      LinkedHashMap<String, String> items = entry.getValue();
      if (items == null || !items.containsKey(item)) {
        return null;
      }
      String old = items.remove(item);
      entry.setValue(items.isEmpty() ? null : items);
      return old;
    }
  }

  /** Reads one item's JSON text, or null. */
  static final class ReadItem implements EntryProcessor<String, LinkedHashMap<String, String>, String>, ReadOnly {
    private static final long serialVersionUID = 1L;
    private final String item;

    ReadItem(String item) {
      this.item = item;
    }

    @Override
    public String process(Map.Entry<String, LinkedHashMap<String, String>> entry) {
      LinkedHashMap<String, String> items = entry.getValue();
      return items == null ? null : items.get(item);
    }

    @Override
    public EntryProcessor<String, LinkedHashMap<String, String>, String> getBackupProcessor() {
      return null;
    }
  }

  /** Reads a group's values in insertion order. */
  static final class ReadValues implements EntryProcessor<String, LinkedHashMap<String, String>, ArrayList<String>>, ReadOnly {
    private static final long serialVersionUID = 1L;

    @Override
    public ArrayList<String> process(Map.Entry<String, LinkedHashMap<String, String>> entry) {
      LinkedHashMap<String, String> items = entry.getValue();
      return items == null ? new ArrayList<>() : new ArrayList<>(items.values());
    }

    @Override
    public EntryProcessor<String, LinkedHashMap<String, String>, ArrayList<String>> getBackupProcessor() {
      return null;
    }
  }
}
