package io.streamnode.testing;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A custom stream implementation for tests, as an iii user writes one: the items of one stream in
 * a map of this object, served by a {@link Worker} under iii's ids {@code stream::<op>(<stream>)}
 * for the ops asked. Every call is recorded as {@code {"op":..,"input":..}}. {@code update}
 * shallow-merges the {@code value} of every op into the item, enough to tell it ran.
 * Thread-safe.
 */
public final class MapStream {

  /** Every op iii lets a stream override. */
  public static final List<String> ALL_OPS = List.of("set", "get", "delete", "list", "list_groups", "update");

  private final String stream;
  private final Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
  private final List<JsonObject> calls = new ArrayList<>();

  private MapStream(String stream) {
    this.stream = stream;
  }

  /** Registers {@code ops} of {@code stream} on {@code worker}; completes once the node delegates to them. */
  public static Future<MapStream> register(Worker worker, String stream, List<String> ops) {
    MapStream s = new MapStream(stream);
    Future<Void> chain = Future.succeededFuture();
    for (String op : ops) {
      chain = chain.compose(v -> worker.registerFunction("stream::" + op + "(" + stream + ")",
          input -> Future.succeededFuture(s.handle(op, (JsonObject) input))));
    }
    return chain.map(s);
  }

  /** Registers all six ops. */
  public static Future<MapStream> register(Worker worker, String stream) {
    return register(worker, stream, ALL_OPS);
  }

  /** Puts an item straight into the map, as data the implementation already had. */
  public synchronized MapStream seed(String group, String item, Object value) {
    groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(item, value);
    return this;
  }

  /** The calls so far, each {@code {"op":..,"input":..}}. */
  public synchronized List<JsonObject> calls() {
    return new ArrayList<>(calls);
  }

  /** The stream name served. */
  public String stream() {
    return stream;
  }

  private synchronized FunctionResult handle(String op, JsonObject input) {
    calls.add(new JsonObject().put("op", op).put("input", input.copy()));
    String group = input.getString("group_id");
    String item = input.getString("item_id");
    Map<String, Object> items = group == null ? null : groups.computeIfAbsent(group, g -> new LinkedHashMap<>());
    switch (op) {
      case "get":
        return items.containsKey(item) ? FunctionResult.of(items.get(item)) : FunctionResult.NONE;
      case "list":
        return FunctionResult.of(new JsonArray(new ArrayList<>(items.values())));
      case "list_groups":
        return FunctionResult.of(new JsonArray(groups.entrySet().stream()
            .filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList()));
      case "set": {
        boolean existed = items.containsKey(item);
        Object old = items.put(item, input.getValue("data"));
        return FunctionResult.of(new JsonObject().put("old_value", existed ? old : null)
            .put("new_value", input.getValue("data")));
      }
      case "delete": {
        boolean existed = items.containsKey(item);
        Object old = items.remove(item);
        return FunctionResult.of(new JsonObject().put("old_value", existed ? old : null));
      }
      default: { // update
        boolean existed = items.containsKey(item);
        Object old = items.get(item);
        JsonObject next = old instanceof JsonObject o ? o.copy() : new JsonObject();
        for (Object o : input.getJsonArray("ops")) {
          if (((JsonObject) o).getValue("value") instanceof JsonObject v) {
            next.mergeIn(v);
          }
        }
        items.put(item, next);
        return FunctionResult.of(new JsonObject().put("old_value", existed ? old : null).put("new_value", next));
      }
    }
  }
}
