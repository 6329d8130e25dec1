package io.streamnode.trigger;

import io.streamnode.function.FunctionException;
import io.streamnode.http.route.HttpRoute;
import io.streamnode.http.route.RouteTable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The triggers known to this node, indexed for the hot path: {@code stream} triggers by stream
 * name, join and leave triggers in registration order, {@code http} triggers as the routes of a
 * {@link RouteTable} the HTTP API reads. Triggers of other types are kept
 * (parked, as iii does) so that a later capability can fire them. Confined to one context.
 */
final class TriggerRegistry {

  private static final Logger LOG = Logger.getLogger(TriggerRegistry.class.getName());

  private final Map<String, Trigger> byId = new LinkedHashMap<>();
  private final Map<String, List<Trigger>> streamTriggers = new HashMap<>();
  private final Map<String, List<Trigger>> byType = new HashMap<>();
  private final Map<String, List<Trigger>> topicTriggers = new HashMap<>();
  private final RouteTable routes;

  TriggerRegistry(RouteTable routes) {
    this.routes = routes;
  }

  /** Checks a registration: ids and type present, a {@code stream} trigger names its stream. */
  static void validate(Trigger trigger) {
    if (trigger.id() == null || trigger.id().isEmpty()) {
      throw new FunctionException("trigger_registration_failed", "trigger id is required", 400);
    }
    if (trigger.functionId() == null || trigger.functionId().isEmpty()) {
      throw new FunctionException("trigger_registration_failed", "function_id is required", 400);
    }
    if (trigger.type() == null || trigger.type().isEmpty()) {
      throw new FunctionException("trigger_registration_failed", "trigger_type is required", 400);
    }
    if (TriggerTypes.STREAM.equals(trigger.type())
        && !(trigger.config().getValue("stream_name") instanceof String name && !name.isEmpty())) {
      throw new FunctionException("trigger_registration_failed",
          "stream trigger " + trigger.id() + " needs config.stream_name (a non-empty string)", 400);
    }
    if (TriggerTypes.HTTP.equals(trigger.type())) {
      HttpRoute.of(trigger);
    }
  }

  /** Adds or replaces (by id) a valid trigger. */
  void register(Trigger trigger) {
    // An http trigger registered again keeps its route in place (the table compares the two).
    remove(trigger.id(), TriggerTypes.HTTP.equals(trigger.type()));
    byId.put(trigger.id(), trigger);
    byType.computeIfAbsent(trigger.type(), t -> new ArrayList<>()).add(trigger);
    if (TriggerTypes.STREAM.equals(trigger.type())) {
      streamTriggers.computeIfAbsent(trigger.config().getString("stream_name"), s -> new ArrayList<>()).add(trigger);
    }
    if (TriggerTypes.SUBSCRIBE.equals(trigger.type()) && trigger.config().getValue("topic") instanceof String topic
        && !topic.isEmpty()) {
      topicTriggers.computeIfAbsent(topic, t -> new ArrayList<>()).add(trigger);
    }
    if (TriggerTypes.HTTP.equals(trigger.type())) {
      registerRoute(trigger);
    }
  }

  private void registerRoute(Trigger trigger) {
    try {
      routes.register(HttpRoute.of(trigger));
    } catch (FunctionException e) {
      // Validated where it was registered; one from a member with other rules is parked, not served.
      routes.unregister(trigger.id());
      LOG.warning("http trigger " + trigger.id() + " is not served: " + e.getMessage());
    }
  }

  /** Removes a trigger; unknown ids are ignored. Returns the removed trigger or {@code null}. */
  Trigger unregister(String id) {
    return remove(id, false);
  }

  private Trigger remove(String id, boolean keepRoute) {
    Trigger old = byId.remove(id);
    if (old == null) {
      return null;
    }
    removeFrom(byType, old.type(), old);
    if (TriggerTypes.STREAM.equals(old.type())) {
      removeFrom(streamTriggers, old.config().getString("stream_name"), old);
    }
    if (TriggerTypes.SUBSCRIBE.equals(old.type()) && old.config().getValue("topic") instanceof String topic) {
      // Only this subscription goes: iii's local adapter drops every subscriber of the topic here.
      removeFrom(topicTriggers, topic, old);
    }
    if (TriggerTypes.HTTP.equals(old.type()) && !keepRoute) {
      routes.unregister(id);
    }
    return old;
  }

  /** The {@code stream} triggers of one stream, in registration order (empty list if none). */
  List<Trigger> streamTriggers(String stream) {
    return streamTriggers.getOrDefault(stream, List.of());
  }

  /** The {@code subscribe} triggers of one topic (empty list if none). */
  List<Trigger> topicTriggers(String topic) {
    return topicTriggers.getOrDefault(topic, List.of());
  }

  /** The triggers of one type, in registration order. */
  List<Trigger> ofType(String type) {
    return byType.getOrDefault(type, List.of());
  }

  Collection<Trigger> all() {
    return byId.values();
  }

  private static void removeFrom(Map<String, List<Trigger>> index, String key, Trigger trigger) {
    List<Trigger> list = index.get(key);
    if (list != null) {
      list.remove(trigger);
      if (list.isEmpty()) {
        index.remove(key);
      }
    }
  }
}
