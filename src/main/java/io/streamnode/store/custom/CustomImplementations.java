package io.streamnode.store.custom;

import io.streamnode.store.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The custom per-stream implementations known to a node's store: functions registered under
 * iii's ids {@code stream::<op>(<stream_name>)} for {@code set}, {@code get}, {@code delete},
 * {@code list}, {@code list_groups} and {@code update}. While one is registered anywhere (this
 * node or, in a cluster, any member), the built-in function of that op and stream calls it
 * instead of the storage adapter.
 *
 * <p>The store asks {@link #has} on every call, so the answer is a lookup in memory, kept up to
 * date by the places that register functions ({@code registered}/{@code unregistered}, called by
 * the worker socket and the Java API) and, through the {@link CustomImplementationCatalog}, by
 * the other members. No event-bus round trip happens unless a stream has a custom implementation.
 * The answer may be stale for an instant (a worker that just went away, a registration still
 * travelling to another member); a call that then finds no handler falls back to the adapter.
 *
 * <p>The instance side is confined to the store's context.
 */
public final class CustomImplementations {

  /** The {@code stream::*} functions a custom implementation may replace, each with its bit in a stream's mask. */
  public enum Op {
    SET("set"), GET("get"), DELETE("delete"), LIST("list"), LIST_GROUPS("list_groups"), UPDATE("update");

    private final String name;
    private final int bit;

    Op(String name) {
      this.name = name;
      this.bit = 1 << ordinal();
    }

    /** The id of the custom implementation of this op for {@code stream}: {@code stream::<op>(<stream>)}. */
    String functionId(String stream) {
      return "stream::" + name + "(" + stream + ")";
    }
  }

  /** A custom implementation id, taken apart. */
  public record Target(Op op, String stream) {
  }

  private static final String PREFIX = "stream::";

  /** Custom implementation id -> the nodes serving it (this node included). */
  private final Map<String, Set<String>> servedBy = new HashMap<>();
  /** Stream name -> bits of the ops with a custom implementation. */
  private final Map<String, Integer> masks = new HashMap<>();
  /** Registrations on this node per id, so that the catalog hears of the first and the last only. */
  private final Map<String, Integer> local = new HashMap<>();
  private final CustomImplementationCatalog catalog;

  public CustomImplementations(CustomImplementationCatalog catalog) {
    this.catalog = catalog;
  }

  // ---- for the places that register functions ---------------------------------------------

  /** Whether {@code functionId} names a custom stream implementation, {@code stream::<op>(<stream_name>)}. */
  public static boolean isCustomImplementation(String functionId) {
    return parse(functionId) != null;
  }

  /**
   * Tells this node's store that {@code functionId} is now served on this node; completes once
   * the store counts it, so that a call made after it is delegated. Does nothing for ids that
   * are not custom stream implementations, and never fails (a Vert.x without a store has nobody
   * to tell).
   */
  public static Future<Void> registered(Vertx vertx, String functionId) {
    return announce(vertx, functionId, true);
  }

  /** Tells this node's store that one registration of {@code functionId} on this node is gone. */
  public static Future<Void> unregistered(Vertx vertx, String functionId) {
    return announce(vertx, functionId, false);
  }

  private static Future<Void> announce(Vertx vertx, String functionId, boolean registered) {
    if (!isCustomImplementation(functionId)) {
      return Future.succeededFuture();
    }
    // A message, not a shared structure: it reaches the store's context before any call sent
    // after it from the same context, which is the order a worker's frames promise.
    return vertx.eventBus().request(StoreAddresses.CUSTOM_IMPLEMENTATIONS,
            new JsonObject().put("id", functionId).put("registered", registered))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Takes {@code stream::<op>(<stream_name>)} apart; {@code null} for any other id. */
  public static Target parse(String functionId) {
    if (functionId == null || !functionId.startsWith(PREFIX) || !functionId.endsWith(")")) {
      return null;
    }
    // Op names hold no parenthesis, so the first one opens the stream name (which may hold any).
    int open = functionId.indexOf('(', PREFIX.length());
    if (open < 0) {
      return null;
    }
    String op = functionId.substring(PREFIX.length(), open);
    String stream = functionId.substring(open + 1, functionId.length() - 1);
    for (Op o : Op.values()) {
      if (o.name.equals(op)) {
        return new Target(o, stream);
      }
    }
    return null;
  }

  // ---- the store's side ---------------------------------------------------------------------

  /** Starts following the other members' registrations (the catalog calls back on this context). */
  public Future<Void> open() {
    return catalog.open(this::served, this::withdrawn);
  }

  public Future<Void> close() {
    return catalog.close();
  }

  /** Whether {@code stream} has a custom implementation of {@code op}: a map lookup, none at all when no stream has one. */
  public boolean has(Op op, String stream) {
    if (masks.isEmpty()) {
      return false;
    }
    Integer mask = masks.get(stream);
    return mask != null && (mask & op.bit) != 0;
  }

  /** One more registration of {@code functionId} on this node; the catalog hears of the first. */
  public Future<Void> localRegistered(String functionId) {
    if (local.merge(functionId, 1, Integer::sum) == 1) {
      return catalog.add(functionId);
    }
    return Future.succeededFuture();
  }

  /** One registration of {@code functionId} on this node fewer; the catalog hears of the last. */
  public Future<Void> localUnregistered(String functionId) {
    Integer count = local.get(functionId);
    if (count == null) {
      return Future.succeededFuture();
    }
    if (count > 1) {
      local.put(functionId, count - 1);
      return Future.succeededFuture();
    }
    local.remove(functionId);
    return catalog.remove(functionId);
  }

  /** The catalog's report: {@code node} serves {@code functionId}. Repeats are harmless. */
  private void served(String node, String functionId) {
    Target target = parse(functionId);
    if (target != null && servedBy.computeIfAbsent(functionId, id -> new HashSet<>()).add(node)) {
      masks.merge(target.stream(), target.op().bit, (a, b) -> a | b);
    }
  }

  /** The catalog's report: {@code node} no longer serves {@code functionId}. Repeats are harmless. */
  private void withdrawn(String node, String functionId) {
    Target target = parse(functionId);
    Set<String> nodes = servedBy.get(functionId);
    if (target == null || nodes == null || !nodes.remove(node) || !nodes.isEmpty()) {
      return;
    }
    servedBy.remove(functionId);
    masks.computeIfPresent(target.stream(), (stream, mask) -> {
      int left = mask & ~target.op().bit;
      return left == 0 ? null : left;
    });
  }
}
