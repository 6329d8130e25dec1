package io.streamnode.presence;

import io.streamnode.store.GroupKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Presence of a single node: a map in this JVM, confined to the presence verticle's context. */
final class LocalPresenceDirectory implements PresenceDirectory {

  private final Map<GroupKey, LinkedHashMap<String, JsonObject>> groups = new HashMap<>();

  @Override
  public Future<Void> add(String stream, String group, String key, JsonObject entry) {
    groups.computeIfAbsent(new GroupKey(stream, group), k -> new LinkedHashMap<>()).put(key, entry);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> remove(String stream, String group, String key) {
    GroupKey g = new GroupKey(stream, group);
    Map<String, JsonObject> entries = groups.get(g);
    if (entries != null && entries.remove(key) != null && entries.isEmpty()) {
      groups.remove(g);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<List<JsonObject>> list(String stream, String group) {
    Map<String, JsonObject> entries = groups.get(new GroupKey(stream, group));
    return Future.succeededFuture(entries == null ? List.of() : new ArrayList<>(entries.values()));
  }

  @Override
  public Future<Integer> count(String stream, String group) {
    Map<String, JsonObject> entries = groups.get(new GroupKey(stream, group));
    return Future.succeededFuture(entries == null ? 0 : entries.size());
  }

  @Override
  public Future<Void> close() {
    groups.clear();
    return Future.succeededFuture();
  }
}
