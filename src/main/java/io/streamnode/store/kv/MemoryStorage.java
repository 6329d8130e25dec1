package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kv adapter's {@code in_memory} store method: ordered maps in the heap, lost on exit.
 * Insertion order per group is kept (an overwrite keeps its position), as iii's kv store does.
 */
public class MemoryStorage implements StreamStorage {

  private final Map<String, Map<String, LinkedHashMap<String, Object>>> streams = new HashMap<>();

  @Override
  public Future<Void> open() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return Future.succeededFuture(getNow(stream, group, item));
  }

  @Override
  public Future<Object> set(String stream, String group, String item, Object value) {
    return Future.succeededFuture(setNow(stream, group, item, value));
  }

  @Override
  public Future<Object> delete(String stream, String group, String item) {
    return Future.succeededFuture(deleteNow(stream, group, item));
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    LinkedHashMap<String, Object> items = items(stream, group);
    return Future.succeededFuture(items == null ? new ArrayList<>() : new ArrayList<>(items.values()));
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    Map<String, LinkedHashMap<String, Object>> groups = streams.get(stream);
    return Future.succeededFuture(groups == null ? new ArrayList<>() : new ArrayList<>(groups.keySet()));
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    SortedMap<String, SortedSet<String>> all = new TreeMap<>();
    streams.forEach((stream, groups) -> all.put(stream, new TreeSet<>(groups.keySet())));
    return Future.succeededFuture(all);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Synchronous read, for adapters that keep this map as their working copy. */
  public Object getNow(String stream, String group, String item) {
    LinkedHashMap<String, Object> items = items(stream, group);
    if (items == null || !items.containsKey(item)) {
      return ABSENT;
    }
    return items.get(item);
  }

  /** Synchronous write; returns the previous value or {@link #ABSENT}. */
  public Object setNow(String stream, String group, String item, Object value) {
    LinkedHashMap<String, Object> items = streams
        .computeIfAbsent(stream, s -> new HashMap<>())
        .computeIfAbsent(group, g -> new LinkedHashMap<>());
    boolean existed = items.containsKey(item);
    Object old = items.put(item, value);
    return existed ? old : ABSENT;
  }

  /** Synchronous delete; returns the removed value or {@link #ABSENT}. Empty groups and streams disappear. */
  public Object deleteNow(String stream, String group, String item) {
    Map<String, LinkedHashMap<String, Object>> groups = streams.get(stream);
    if (groups == null) {
      return ABSENT;
    }
    LinkedHashMap<String, Object> items = groups.get(group);
    if (items == null || !items.containsKey(item)) {
      return ABSENT;
    }
    Object old = items.remove(item);
    if (items.isEmpty()) {
      groups.remove(group);
      if (groups.isEmpty()) {
        streams.remove(stream);
      }
    }
    return old;
  }

  /** Every item, for adapters that snapshot the whole map: stream -> group -> item -> value. */
  public Map<String, Map<String, LinkedHashMap<String, Object>>> all() {
    return streams;
  }

  private LinkedHashMap<String, Object> items(String stream, String group) {
    Map<String, LinkedHashMap<String, Object>> groups = streams.get(stream);
    return groups == null ? null : groups.get(group);
  }
}
