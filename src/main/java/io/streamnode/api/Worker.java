package io.streamnode.api;

import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.streamnode.function.NodeFunctions;
import io.streamnode.store.custom.CustomImplementations;
import io.streamnode.trigger.Trigger;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.Closeable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Java API for code deployed into a node: a worker living inside the node, like an iii
 * SDK worker but without a socket. It registers functions and triggers, and calls any function
 * ({@code stream::*}, other workers', other verticles'). Create one per verticle, in
 * {@code start()}: when the verticle is undeployed its functions and triggers go away with it
 * (calling {@link #close()} in {@code stop()} does the same, earlier).
 * <p>
 * In a cluster the same verticle usually runs on every node: a trigger registered with
 * {@link #registerTrigger} then exists once per node and fires once per node. Register it with
 * {@link #registerTriggerOnce} to have it once for the whole cluster.
 *
 * <pre>{@code
 * Worker worker = Worker.create(vertx);
 * worker.registerFunction("presence::on_join", input -> ...)
 *   .compose(v -> worker.registerTrigger("stream:join", "presence::on_join", new JsonObject()));
 * worker.call("stream::set", new JsonObject().put("stream_name", "s").put("group_id", "g")
 *     .put("item_id", "i").put("data", 42));
 * }</pre>
 */
public final class Worker {

  /** Default time a call may take, in milliseconds (iii SDK's default). */
  public static final long DEFAULT_CALL_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final FunctionBus bus;
  private final Map<String, MessageConsumer<Object>> functions = new LinkedHashMap<>();
  private final List<String> triggers = new ArrayList<>();
  /** Names this worker as the owner of its trigger registrations: only it can remove them. */
  private final String owner = "api:" + UUID.randomUUID();
  private final ContextInternal deployment;
  private final Closeable onUndeploy = completion -> close().onComplete(completion);

  private Worker(Vertx vertx, long callTimeoutMs) {
    this.vertx = vertx;
    this.bus = new FunctionBus(vertx, callTimeoutMs);
    Context current = Vertx.currentContext();
    if (current instanceof ContextInternal context && context.isDeployment()) {
      deployment = context;
      deployment.addCloseHook(onUndeploy);
    } else {
      deployment = null;
    }
  }

  /** A worker whose calls time out after {@link #DEFAULT_CALL_TIMEOUT_MS}. */
  public static Worker create(Vertx vertx) {
    return new Worker(vertx, DEFAULT_CALL_TIMEOUT_MS);
  }

  /** A worker whose calls time out after {@code callTimeoutMs}. */
  public static Worker create(Vertx vertx, long callTimeoutMs) {
    return new Worker(vertx, callTimeoutMs);
  }

  /**
   * Serves a function under {@code functionId}; completes once it is callable. Registering an id
   * this worker already serves replaces the handler.
   *
   * <p>An id {@code stream::<op>(<stream_name>)} ({@code op} one of {@code set}, {@code get},
   * {@code delete}, {@code list}, {@code list_groups}, {@code update}) is a custom implementation
   * of that stream, as in iii: the built-in {@code stream::<op>} of that stream calls it instead
   * of the storage adapter (see the README). The returned future completes once the node's store
   * knows it, so calls made afterwards are delegated.
   *
   * <p>A function the node serves itself ({@code stream::set} and the other {@code stream::*}
   * functions, {@code publish}, ids under {@code streamnode::}) cannot be registered: the future
   * fails with an {@link IllegalArgumentException}.
   */
  public Future<Void> registerFunction(String functionId, FunctionHandler handler) {
    if (NodeFunctions.served(functionId)) {
      return Future.failedFuture(new IllegalArgumentException("the node serves " + functionId
          + " itself; register a custom implementation such as stream::set(<stream_name>) instead"));
    }
    MessageConsumer<Object> old = functions.remove(functionId);
    Future<Void> gone = old == null ? Future.succeededFuture() : old.unregister();
    return gone.compose(v -> {
      MessageConsumer<Object> consumer = bus.register(functionId, handler);
      functions.put(functionId, consumer);
      // A replaced handler was counted already: one registration either way.
      return old != null ? consumer.completion()
          : consumer.completion().compose(x -> CustomImplementations.registered(vertx, functionId));
    });
  }

  /** Stops serving a function (a custom stream implementation: the stream goes back to its adapter). */
  public Future<Void> unregisterFunction(String functionId) {
    MessageConsumer<Object> consumer = functions.remove(functionId);
    return consumer == null ? Future.succeededFuture()
        : consumer.unregister().eventually(() -> CustomImplementations.unregistered(vertx, functionId));
  }

  /**
   * Registers a trigger with a fresh id; completes with the id. Types: {@code stream} (config
   * {@code stream_name}, optional {@code group_id}, {@code item_id}, {@code condition_function_id}),
   * {@code stream:join}, {@code stream:leave}, {@code subscribe} (config {@code topic}) and
   * {@code http} (config {@code api_path}, {@code http_method}, optional
   * {@code condition_function_id}, {@code middleware_function_ids}): the function then serves
   * that route on the HTTP API port of every node, and answers {@code {status_code, body, headers}}.
   * A malformed registration fails with {@code trigger_registration_failed}.
   */
  public Future<String> registerTrigger(String type, String functionId, JsonObject config) {
    Trigger trigger = new Trigger(UUID.randomUUID().toString(), type, functionId, config, null);
    return registerTrigger(trigger).map(trigger.id());
  }

  /** Registers (or replaces, by id) a trigger. Fails with the registration error. */
  public Future<Void> registerTrigger(Trigger trigger) {
    return register(trigger.toJson().put("owner", owner));
  }

  /**
   * Registers a trigger that should exist once in the whole cluster, whichever nodes run this
   * code: every node registering the same {@code id} keeps one trigger (it fires once, not once per
   * node), and it lives on while any of those nodes still has it registered. On a single node it is
   * an ordinary trigger with a fixed id.
   */
  public Future<Void> registerTriggerOnce(String id, String type, String functionId, JsonObject config) {
    Trigger trigger = new Trigger(id, type, functionId, config, null);
    return register(trigger.toJson().put("owner", owner).put("once", true));
  }

  private Future<Void> register(JsonObject registration) {
    String id = registration.getString("id");
    return vertx.eventBus().request(TriggerAddresses.REGISTER, registration)
        .recover(err -> Future.failedFuture(FunctionBus.toFunctionException("trigger registration", err)))
        .onSuccess(ok -> triggers.add(id))
        .mapEmpty();
  }

  /** Removes a trigger this worker registered (one registered by others since, under the same id, stays). */
  public Future<Void> unregisterTrigger(String triggerId) {
    triggers.remove(triggerId);
    return vertx.eventBus().request(TriggerAddresses.UNREGISTER, new JsonObject().put("id", triggerId)
        .put("owner", owner)).mapEmpty();
  }

  /** Calls a function and waits for its result; fails with a {@code FunctionException}. */
  public Future<FunctionResult> call(String functionId, Object input) {
    return bus.call(functionId, input);
  }

  /** Calls a function without waiting for, or hearing about, its result (iii's void action). */
  public void callVoid(String functionId, Object input) {
    bus.callVoid(functionId, input);
  }

  /** Unregisters this worker's triggers and functions; best effort, so it never fails a shutdown. */
  public Future<Void> close() {
    if (deployment != null) {
      deployment.removeCloseHook(onUndeploy);
    }
    List<Future<?>> done = new ArrayList<>();
    for (String id : new ArrayList<>(triggers)) {
      done.add(unregisterTrigger(id));
    }
    for (String id : new ArrayList<>(functions.keySet())) {
      done.add(unregisterFunction(id));
    }
    return Future.join(done).<Void>mapEmpty().otherwiseEmpty();
  }
}
