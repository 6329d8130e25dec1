package io.streamnode.trigger;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ConsumerGroup;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.security.RefusalLog;
import io.streamnode.metrics.NodeMetrics;
import io.streamnode.http.route.RouteTable;
import io.streamnode.store.StoreAddresses;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trigger dispatch: keeps the trigger registry and calls trigger functions.
 * <ul>
 *   <li>{@code stream}: for each store event, the matching triggers run one after another in
 *       one background chain (condition first, if any); the write never waits for them and
 *       their failures are only logged (fire-and-forget).</li>
 *   <li>{@code stream:join}: answers a join request; any handler answering
 *       {@code {"unauthorized":true}} refuses the join, anything else allows it. A handler that
 *       fails or times out ({@code limits.call_timeout_ms}) is reported with {@code "failed":true}
 *       so that the stream socket can refuse the join ({@code stream_socket.join_fail_closed}).</li>
 *   <li>{@code stream:leave}: calls every leave handler, results ignored.</li>
 *   <li>{@code http}: kept in the {@link RouteTable} the HTTP API serves them from.</li>
 *   <li>{@code subscribe}: serves the {@code publish} function; each subscriber of the topic gets
 *       the raw {@code data}, concurrently, results ignored.</li>
 * </ul>
 * Calls in flight are bounded by {@code limits.max_pending_trigger_calls}: past it, new
 * stream-trigger chains are dropped with a warning instead of piling up without bound.
 */
public class TriggerDispatchVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(TriggerDispatchVerticle.class.getName());

  private final LimitsOptions limits;
  private final TriggerCatalog catalog;
  private final TriggerRegistry registry;
  private final ConsumerGroup consumers = new ConsumerGroup();
  /** Failing handlers are logged at a bounded rate: a worker's broken join handler cannot fill a disk. */
  private final RefusalLog handlerFailures = new RefusalLog(LOG);
  /**
   * Triggers registered here "once for the cluster": id -> owner -> trigger. While any owner here
   * still holds an id, a removal of the catalog's copy (by its owner, or its member leaving)
   * brings it back under one of them.
   */
  private final java.util.Map<String, java.util.Map<String, Trigger>> once = new java.util.HashMap<>();
  private FunctionBus functions;
  private int pendingCalls;
  private long dropped;
  /** Leave chains still running, and the shutdown requests waiting for them to end. */
  private int pendingLeaves;
  private final List<Message<Object>> leaveDrains = new ArrayList<>();

  public TriggerDispatchVerticle(LimitsOptions limits) {
    this(limits, TriggerCatalog.local());
  }

  /**
   * @param limits call timeout and the bound on trigger calls in flight
   * @param catalog where triggers are kept; a replicated one makes every node know every trigger
   */
  public TriggerDispatchVerticle(LimitsOptions limits, TriggerCatalog catalog) {
    this(limits, catalog, new RouteTable());
  }

  /**
   * @param limits call timeout and the bound on trigger calls in flight
   * @param catalog where triggers are kept; a replicated one makes every node know every trigger
   * @param routes where the {@code http} triggers go, for the HTTP API to serve; written from this
   *     verticle's context only
   */
  public TriggerDispatchVerticle(LimitsOptions limits, TriggerCatalog catalog, RouteTable routes) {
    this.limits = limits;
    this.catalog = catalog;
    this.registry = new TriggerRegistry(routes);
  }

  @Override
  public Future<?> start() {
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    EventBus bus = vertx.eventBus();
    // Registrations are local: a trigger belongs to the node it was registered on.
    consumers.add(bus.<JsonObject>localConsumer(TriggerAddresses.REGISTER, this::onRegister));
    consumers.add(bus.<JsonObject>localConsumer(TriggerAddresses.UNREGISTER, this::onUnregister));
    consumers.add(bus.<JsonObject>localConsumer(TriggerAddresses.JOIN, this::onJoin));
    consumers.add(bus.<JsonObject>localConsumer(TriggerAddresses.LEAVE, msg -> onLeave(msg.body())));
    consumers.add(bus.<Object>localConsumer(TriggerAddresses.DRAIN_LEAVES, this::onDrainLeaves));
    consumers.add(bus.<StreamEvent>localConsumer(StoreAddresses.TRIGGER_EVENTS, msg -> onStreamEvent(msg.body())));
    consumers.add(functions.register("publish", this::publish));
    return catalog.open(registry::register, this::removedFromCatalog).compose(v -> consumers.ready());
  }

  @Override
  public Future<?> stop() {
    // The gateway, stopped before us, sends a leave for every socket it closes; those messages may
    // still wait on this context. Unregistering behind them lets them run (Vert.x would otherwise
    // drop each one with a warning) before the consumers go.
    Promise<Void> queued = Promise.promise();
    context.runOnContext(v -> queued.complete());
    return queued.future().compose(v -> consumers.unregisterAll()).eventually(catalog::close);
  }

  /**
   * A trigger left the catalog. One registered here once for the cluster comes back at once under
   * this node's registration: another member's copy went (undeployed, or the member left).
   */
  private void removedFromCatalog(String id) {
    registry.unregister(id);
    java.util.Map<String, Trigger> holders = once.get(id);
    if (holders != null && !holders.isEmpty()) {
      java.util.Map.Entry<String, Trigger> next = holders.entrySet().iterator().next();
      registry.register(next.getValue());
      catalog.add(next.getValue(), next.getKey());
    }
  }

  private void onRegister(Message<JsonObject> msg) {
    try {
      Trigger trigger = Trigger.fromJson(msg.body());
      TriggerRegistry.validate(trigger);
      String owner = msg.body().getString("owner");
      if (Boolean.TRUE.equals(msg.body().getValue("once"))) {
        once.computeIfAbsent(trigger.id(), k -> new java.util.LinkedHashMap<>()).put(String.valueOf(owner), trigger);
      }
      // Effective here at once; the catalog then tells the other nodes (and tells us again, harmlessly).
      registry.register(trigger);
      catalog.add(trigger, owner).onComplete(ar -> {
        if (ar.succeeded()) {
          LOG.fine(() -> "trigger registered: " + trigger);
          msg.reply(null);
        } else {
          FunctionBus.fail(msg, ar.cause());
        }
      });
    } catch (RuntimeException e) {
      LOG.info("trigger registration refused: " + e.getMessage());
      FunctionBus.fail(msg, e);
    }
  }

  /** Removes a trigger if the caller owns its current registration (any caller when no owner is named). */
  private void onUnregister(Message<JsonObject> msg) {
    String id = msg.body().getString("id");
    String owner = msg.body().getString("owner");
    java.util.Map<String, Trigger> holders = once.get(id);
    if (holders != null) {
      if (owner == null) {
        holders.clear();
      } else {
        holders.remove(owner);
      }
      if (holders.isEmpty()) {
        once.remove(id);
      }
    }
    // The registry follows the catalog's removal event (at once for a single node's catalog).
    catalog.remove(id, owner).onComplete(ar -> msg.reply(null));
  }

  private void onStreamEvent(StreamEvent event) {
    List<Trigger> candidates = registry.streamTriggers(event.stream());
    if (candidates.isEmpty()) {
      return;
    }
    List<Trigger> matching = new ArrayList<>(candidates.size());
    for (Trigger t : candidates) {
      if (t.matchesStreamEvent(event.stream(), event.group(), event.id())) {
        matching.add(t);
      }
    }
    if (matching.isEmpty()) {
      return;
    }
    if (pendingCalls + matching.size() > limits.getMaxPendingTriggerCalls()) {
      NodeMetrics.triggerDropped();
      if (dropped++ % 1000 == 0) {
        LOG.warning("trigger calls dropped: " + pendingCalls + " in flight reached limits.max_pending_trigger_calls ("
            + limits.getMaxPendingTriggerCalls() + "); " + dropped + " dropped so far");
      }
      return;
    }
    pendingCalls += matching.size();
    JsonObject payload = event.toJson();
    runStreamTriggers(matching, 0, payload);
  }

  /** Runs the matching triggers of one event one after another, as iii does. */
  private void runStreamTriggers(List<Trigger> triggers, int index, JsonObject payload) {
    if (index == triggers.size()) {
      return;
    }
    Trigger trigger = triggers.get(index);
    NodeMetrics.triggerCalled();
    String condition = trigger.conditionFunctionId();
    Future<Boolean> proceed = condition == null
        ? Future.succeededFuture(true)
        : functions.call(condition, payload).map(r -> !Boolean.FALSE.equals(r.value()));
    proceed
        .compose(go -> go ? functions.call(trigger.functionId(), payload).mapEmpty() : Future.succeededFuture())
        .onComplete(ar -> {
          pendingCalls--;
          if (ar.failed()) {
            handlerFailures.note(Level.WARNING, "stream trigger " + trigger.id() + " (" + trigger.functionId() + ") failed: "
                + ar.cause().getMessage());
          }
          runStreamTriggers(triggers, index + 1, payload);
        });
  }

  /** {@code publish {topic, data}}: no result; subscribers get {@code data} as it is. */
  private Future<FunctionResult> publish(Object input) {
    if (!(input instanceof JsonObject in)) {
      throw FunctionException.badInput("publish", "invalid type: expected a map");
    }
    if (!in.containsKey("topic")) {
      throw FunctionException.badInput("publish", "missing field `topic`");
    }
    if (!(in.getValue("topic") instanceof String topic)) {
      throw FunctionException.badInput("publish", "invalid type: expected a string for `topic`");
    }
    if (!in.containsKey("data")) {
      throw FunctionException.badInput("publish", "missing field `data`");
    }
    if (topic.isEmpty()) {
      throw new FunctionException(ErrorCode.TOPIC_NOT_SET, "Topic is not set");
    }
    Object data = in.getValue("data");
    for (Trigger t : registry.topicTriggers(topic)) {
      NodeMetrics.triggerCalled();
      functions.call(t.functionId(), data).onFailure(err ->
          LOG.fine(() -> "subscriber " + t.functionId() + " of " + topic + " failed: " + err.getMessage()));
    }
    return Future.succeededFuture(FunctionResult.NONE);
  }

  private void onJoin(Message<JsonObject> msg) {
    List<Trigger> handlers = new ArrayList<>(registry.ofType(TriggerTypes.STREAM_JOIN));
    runJoin(handlers, 0, msg, false);
  }

  private void runJoin(List<Trigger> handlers, int index, Message<JsonObject> msg, boolean failed) {
    if (index == handlers.size()) {
      msg.reply(new JsonObject().put("unauthorized", false).put("failed", failed));
      return;
    }
    Trigger trigger = handlers.get(index);
    NodeMetrics.triggerCalled();
    functions.call(trigger.functionId(), msg.body()).onComplete(ar -> {
      if (ar.succeeded() && refuses(ar.result())) {
        msg.reply(new JsonObject().put("unauthorized", true));
        return;
      }
      if (ar.failed()) {
        handlerFailures.note(Level.WARNING, "stream:join handler " + trigger.functionId() + " failed: " + ar.cause().getMessage());
      }
      runJoin(handlers, index + 1, msg, failed || ar.failed());
    });
  }

  private static boolean refuses(FunctionResult result) {
    return result.value() instanceof JsonObject obj && Boolean.TRUE.equals(obj.getValue("unauthorized"));
  }

  private void onLeave(JsonObject payload) {
    List<Trigger> handlers = new ArrayList<>(registry.ofType(TriggerTypes.STREAM_LEAVE));
    pendingLeaves++;
    runLeave(handlers, 0, payload);
  }

  /** At shutdown the worker socket asks before it closes: its workers may own leave handlers. */
  private void onDrainLeaves(Message<Object> msg) {
    if (pendingLeaves == 0) {
      msg.reply(null);
    } else {
      leaveDrains.add(msg);
    }
  }

  private void runLeave(List<Trigger> handlers, int index, JsonObject payload) {
    if (index == handlers.size()) {
      if (--pendingLeaves == 0 && !leaveDrains.isEmpty()) {
        leaveDrains.forEach(m -> m.reply(null));
        leaveDrains.clear();
      }
      return;
    }
    Trigger trigger = handlers.get(index);
    NodeMetrics.triggerCalled();
    functions.call(trigger.functionId(), payload).onComplete(ar -> {
      if (ar.failed()) {
        handlerFailures.note(Level.WARNING, "stream:leave handler " + trigger.functionId() + " failed: " + ar.cause().getMessage());
      }
      runLeave(handlers, index + 1, payload);
    });
  }
}
