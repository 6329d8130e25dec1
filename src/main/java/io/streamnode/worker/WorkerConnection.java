package io.streamnode.worker;

import io.streamnode.metrics.NodeMetrics;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.function.NodeFunctions;
import io.streamnode.store.custom.CustomImplementations;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One worker connected to the worker socket, speaking iii's worker protocol: the functions it
 * serves (each an event-bus consumer that turns a call into an {@code invokefunction} frame),
 * the triggers it registered, and the calls it has not answered yet.
 * <ul>
 *   <li>Registrations are not acknowledged; only a failed trigger registration is answered
 *       ({@code triggerregistrationresult} with {@code error}).</li>
 *   <li>A frame that is not JSON, or lacks a field its type requires, is logged and dropped;
 *       the connection lives (iii behaviour).</li>
 *   <li>When the connection goes, its functions and triggers go with it and the calls it owes
 *       fail at once with {@code invocation_stopped}.</li>
 * </ul>
 * What the connection may call and register is its {@link WorkerAccess}: everything on the worker
 * socket, its grants on the public worker socket (a denied call is answered {@code FORBIDDEN}, a
 * denied registration is dropped).
 * Confined to the worker socket's event loop, like every other object of this package.
 */
final class WorkerConnection {

  private static final Logger LOG = Logger.getLogger(WorkerConnection.class.getName());
  /** Close code for a worker too slow to read what it is sent (policy violation). */
  static final short CLOSE_SLOW_CONSUMER = 1008;

  private final WorkerSocketVerticle gateway;
  private final WorkerListener listener;
  private final WorkerAccess access;
  private final ServerWebSocket ws;
  private final String workerId = UUID.randomUUID().toString();
  private final String reattachToken = UUID.randomUUID().toString();
  private final Map<String, MessageConsumer<Object>> functions = new HashMap<>();
  /** The {@code metadata} each served function was registered with (for {@code expose_functions}). */
  private final Map<String, Object> functionMetadata = new HashMap<>();
  private final Set<String> triggers = new HashSet<>();
  private final Map<String, PendingInvocation> invocations = new HashMap<>();
  private String name;
  private boolean closed;
  /** Characters of answers to the worker written and not yet sent (not counted as its backlog). */
  private long requestedPending;
  /**
   * Characters of every frame written to the worker and not yet handed to the kernel. Counted here,
   * not read from Vert.x or Netty: Vert.x 5 keeps a large message in a queue of its own, which
   * counts messages, and moves it into Netty's buffer only as the socket drains, so neither of
   * them shows how far behind a worker is.
   */
  private long queuedChars;

  /**
   * @param listener the listener it came through (its refusal log; a reattach stays on it)
   * @param access what the connection may call and register
   */
  WorkerConnection(WorkerSocketVerticle gateway, WorkerListener listener, ServerWebSocket ws, WorkerAccess access) {
    this.gateway = gateway;
    this.listener = listener;
    this.access = access;
    this.ws = ws;
    ws.setWriteQueueMaxSize(gateway.limits().getOutboundQueueBytes());
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(t -> LOG.fine(() -> "worker " + this + ": " + t));
    ws.closeHandler(v -> {
      cleanup();
      gateway.socketClosed(ws);
    });
    send(WorkerFrames.workerRegistered(workerId, reattachToken));
  }

  String workerId() {
    return workerId;
  }

  /** The {@code metadata} this worker registered {@code functionId} with, or {@code null}. */
  Object functionMetadata(String functionId) {
    return functionMetadata.get(functionId);
  }

  // ---------------------------------------------------------------- inbound

  private void onBinary(Buffer bytes) {
    // iii checks for its telemetry prefixes first; a worker socket has no use for them.
    if (bytes.length() >= 4) {
      String prefix = bytes.getString(0, 4);
      if ("OTLP".equals(prefix) || "MTRC".equals(prefix) || "LOGS".equals(prefix)) {
        return;
      }
    }
    onText(bytes.toString());
  }

  private void onText(String text) {
    if (closed || text.isBlank()) {
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      listener.refusals().note(Level.WARNING, "worker " + this + ": ignoring a frame that is not a JSON object");
      return;
    }
    Object type = frame.getValue("type");
    try {
      if (!(type instanceof String t)) {
        throw new WorkerFrames.MalformedFrame("missing field `type`");
      }
      dispatch(t, frame);
    } catch (WorkerFrames.MalformedFrame e) {
      listener.refusals().note(Level.WARNING, "worker " + this + ": ignoring a malformed " + type + " frame: " + e.getMessage());
    }
  }

  private void dispatch(String type, JsonObject frame) {
    switch (type) {
      case WorkerFrames.REGISTER_FUNCTION -> registerFunction(frame);
      case WorkerFrames.UNREGISTER_FUNCTION -> unregisterFunction(access.servedId(WorkerFrames.string(frame, "id")));
      case WorkerFrames.REGISTER_TRIGGER -> registerTrigger(frame);
      case WorkerFrames.UNREGISTER_TRIGGER -> unregisterTrigger(WorkerFrames.string(frame, "id"));
      case WorkerFrames.INVOKE_FUNCTION -> invokeFunction(frame);
      case WorkerFrames.INVOCATION_RESULT -> invocationResult(frame);
      case WorkerFrames.REATTACH -> reattach(WorkerFrames.string(frame, "previous_worker_id"),
          WorkerFrames.optionalString(frame, "reattach_token"));
      case WorkerFrames.PING -> send(WorkerFrames.pong());
      case WorkerFrames.PONG, WorkerFrames.WORKER_REGISTERED -> { }
      // Worker-provided trigger types are not supported; iii's engine has no unregistertriggertype at all.
      case WorkerFrames.REGISTER_TRIGGER_TYPE, WorkerFrames.UNREGISTER_TRIGGER_TYPE,
           WorkerFrames.TRIGGER_REGISTRATION_RESULT ->
          LOG.fine(() -> "worker " + this + ": ignoring " + type);
      default -> LOG.fine(() -> "worker " + this + ": ignoring a frame of unknown type " + type);
    }
  }

  /** A {@code registerfunction}: applied once the connection's access admits it, dropped if it does not. */
  private void registerFunction(JsonObject frame) {
    String requested = WorkerFrames.string(frame, "id");
    if (NodeFunctions.served(requested)) {
      listener.refusals().note(Level.WARNING, "worker " + this + ": ignoring registerfunction " + requested
          + ": the node serves that function itself (a custom implementation is registered as "
          + "stream::set(<stream_name>) and the like)");
      return;
    }
    decide(access.admitFunction(frame), admitted -> {
      String id = WorkerFrames.string(admitted, "id");
      Object metadata = admitted.getValue("metadata");
      if (metadata == null) {
        functionMetadata.remove(id);
      } else {
        functionMetadata.put(id, metadata);
      }
      serveFunction(id);
    });
  }

  /**
   * Runs {@code then} with what {@code decision} admits ({@code null}: dropped, nothing to run). A
   * decision still pending (a registration hook is being asked) holds the worker's next frames until
   * it is made: iii handles a worker's frames one at a time, so a {@code registertrigger} sent after
   * its {@code registerfunction} is never applied before it.
   */
  private void decide(Future<JsonObject> decision, Handler<JsonObject> then) {
    if (decision.isComplete()) {
      apply(decision, then);
      return;
    }
    ws.pause();
    decision.onComplete(ar -> {
      if (!closed) {
        apply(decision, then);
        ws.resume();
      }
    });
  }

  private void apply(Future<JsonObject> decision, Handler<JsonObject> then) {
    if (decision.failed()) {
      // Access decisions drop a registration by answering null; a failure is a bug, not a refusal.
      LOG.log(Level.WARNING, "worker " + this + ": a registration could not be decided; dropped", decision.cause());
    } else if (decision.result() != null) {
      then.handle(decision.result());
    }
  }

  /** Serves {@code id} on the event bus for this worker; a newer registration elsewhere takes it over. */
  private void serveFunction(String id) {
    WorkerConnection previous = gateway.functionOwners().claim(id, this);
    boolean fresh = !functions.containsKey(id);
    if (fresh) {
      // Counted before the previous owner's withdrawal, so a custom stream implementation taken
      // over by a reconnecting worker never looks unregistered in between. The store hears of it
      // before any call this worker sends next.
      CustomImplementations.registered(gateway.vertx(), id);
    }
    if (previous != null && previous != this) {
      LOG.info("function " + id + " moves from worker " + previous + " to worker " + this);
      previous.yieldFunction(id);
    }
    if (fresh) {
      functions.put(id, gateway.vertx().eventBus().consumer(FunctionBus.address(id), this::onCall));
    }
    gateway.claimCluster(id, this);
  }

  private void unregisterFunction(String id) {
    // Only the owner's unregistration counts: one that lost the id keeps nothing to remove.
    if (gateway.functionOwners().release(id, this)) {
      gateway.releaseCluster(id, this);
      yieldFunction(id);
    }
  }

  /** Stops serving {@code id} (unregistered, or taken over by another connection). */
  void yieldFunction(String id) {
    functionMetadata.remove(id);
    MessageConsumer<Object> consumer = functions.remove(id);
    if (consumer != null) {
      consumer.unregister();
      CustomImplementations.unregistered(gateway.vertx(), id);
    }
  }

  /** A {@code registertrigger}: applied once the connection's access admits it, dropped if it does not. */
  private void registerTrigger(JsonObject frame) {
    WorkerFrames.string(frame, "id");
    WorkerFrames.string(frame, "trigger_type");
    WorkerFrames.string(frame, "function_id");
    decide(access.admitTrigger(frame), this::applyTrigger);
  }

  private void applyTrigger(JsonObject frame) {
    String id = WorkerFrames.string(frame, "id");
    String triggerType = WorkerFrames.string(frame, "trigger_type");
    String functionId = WorkerFrames.string(frame, "function_id");
    // A trigger calls its function with the node's authority: a connection may aim one only at a
    // function it serves itself or may call (iii's engine makes the same check since 0.23).
    FunctionException denied = functions.containsKey(functionId) ? null : access.refuseCall(functionId);
    if (denied != null) {
      listener.refusals().note(Level.INFO, "worker " + this + ": trigger " + id + " (" + triggerType + ") refused: "
          + denied.getMessage());
      send(WorkerFrames.triggerRegistrationFailed(id, triggerType, functionId, denied));
      return;
    }
    // iii requires `config`; an absent one is read as {} rather than dropping the frame.
    Object config = frame.getValue("config");
    Object metadata = frame.getValue("metadata");
    WorkerConnection previous = gateway.triggerOwners().claim(id, this);
    if (previous != null && previous != this) {
      previous.triggers.remove(id);
    }
    triggers.add(id);
    JsonObject registration = new JsonObject().put("id", id).put("trigger_type", triggerType)
        .put("function_id", functionId).put("config", config == null ? new JsonObject() : config)
        .put("owner", workerId);
    if (metadata != null) {
      registration.put("metadata", metadata);
    }
    gateway.vertx().eventBus().request(TriggerAddresses.REGISTER, registration).onFailure(err -> {
      // The id stays ours: the dispatch may still hold an older trigger of that id, which must
      // go when this worker does.
      FunctionException error = FunctionBus.toFunctionException(TriggerAddresses.REGISTER, err);
      LOG.info("worker " + this + ": trigger " + id + " (" + triggerType + ") refused: " + error.getMessage());
      send(WorkerFrames.triggerRegistrationFailed(id, triggerType, functionId, error.getMessage()));
    });
  }

  private void unregisterTrigger(String id) {
    // Only the connection that registered the trigger (last) may remove it, here and cluster-wide.
    if (!gateway.triggerOwners().release(id, this)) {
      LOG.fine(() -> "worker " + this + ": ignoring the unregistration of trigger " + id + ", which it does not own");
      return;
    }
    triggers.remove(id);
    gateway.vertx().eventBus().send(TriggerAddresses.UNREGISTER, unregistration(id));
  }

  private JsonObject unregistration(String id) {
    return new JsonObject().put("id", id).put("owner", workerId);
  }

  /** A call from the worker: answered with {@code invocationresult} unless it is fire-and-forget. */
  private void invokeFunction(JsonObject frame) {
    String functionId = WorkerFrames.string(frame, "function_id");
    String invocationId = WorkerFrames.optionalUuid(frame, "invocation_id");
    String action = action(frame);
    // iii requires `data`; the Node SDK omits it for an undefined payload. Read it as null.
    Object data = frame.getValue("data");
    if (data instanceof JsonObject input) {
      input.put(WorkerFrames.CALLER_WORKER_ID, workerId);
    }
    boolean wantsReply = invocationId != null && action == null;
    FunctionException denied = access.refuseCall(functionId);
    if (denied != null) {
      // As iii: answered even when the caller expects no answer (a fresh id then), so that a
      // denied fire-and-forget call is visible in the client's log instead of vanishing.
      send(WorkerFrames.invocationError(invocationId != null ? invocationId : UUID.randomUUID().toString(),
          functionId, denied));
      return;
    }
    if (WorkerFrames.ENGINE_WORKERS_REGISTER.equals(functionId)) {
      if (data instanceof JsonObject info && info.getValue("name") instanceof String n) {
        name = n;
        LOG.info("worker " + this + " registered: " + info.getValue("runtime") + " " + info.getValue("version"));
      }
      if (wantsReply) {
        send(WorkerFrames.invocationResult(invocationId, functionId, FunctionResult.NONE));
      }
      return;
    }
    if ("enqueue".equals(action)) {
      if (invocationId != null) {
        send(WorkerFrames.invocationError(invocationId, functionId, new FunctionException(WorkerFrames.ENQUEUE_ERROR,
            "No queue provider is installed: streamnode has no queues", 501)));
      }
      return;
    }
    if (!wantsReply) {
      gateway.functions().callVoid(functionId, data);
      return;
    }
    gateway.functions().call(functionId, data).onComplete(ar -> {
      if (ar.succeeded()) {
        send(WorkerFrames.invocationResult(invocationId, functionId, ar.result()));
      } else {
        send(WorkerFrames.invocationError(invocationId, functionId, FunctionBus.asFunctionException(ar.cause())));
      }
    });
  }

  /** The {@code action} type: {@code null}, {@code void} or {@code enqueue}; anything else is malformed. */
  private static String action(JsonObject frame) {
    Object action = frame.getValue("action");
    if (action == null) {
      return null;
    }
    if (action instanceof JsonObject a && a.getValue("type") instanceof String type) {
      if ("void".equals(type)) {
        return type;
      }
      if ("enqueue".equals(type)) {
        WorkerFrames.string(a, "queue");
        return type;
      }
    }
    throw new WorkerFrames.MalformedFrame("unknown `action`");
  }

  /** The worker's answer to a call of one of its functions. */
  private void invocationResult(JsonObject frame) {
    String invocationId = WorkerFrames.requiredUuid(frame, "invocation_id");
    WorkerFrames.string(frame, "function_id");
    FunctionException error = error(frame.getValue("error"));
    PendingInvocation pending = invocations.remove(invocationId);
    if (pending == null) {
      listener.refusals().note(Level.INFO, "worker " + this + ": ignoring a result for unknown invocation " + invocationId
          + " (timed out, or never sent)");
      return;
    }
    gateway.vertx().cancelTimer(pending.timerId());
    if (error != null) {
      FunctionBus.fail(pending.call(), error);
    } else {
      // iii reads `result` as an optional value: JSON null and an absent key both mean "no result".
      Object result = frame.getValue("result");
      gateway.functions().reply(pending.call(), result == null ? FunctionResult.NONE : FunctionResult.of(result));
    }
  }

  private static FunctionException error(Object error) {
    if (error == null) {
      return null;
    }
    if (error instanceof JsonObject e && e.getValue("code") instanceof String code
        && e.getValue("message") instanceof String message) {
      ErrorCode known = ErrorCode.of(code);
      return new FunctionException(code, message, known == null ? ErrorCode.INVOCATION_FAILED.httpStatus()
          : known.httpStatus());
    }
    throw new WorkerFrames.MalformedFrame("`error` needs string `code` and `message`");
  }

  /** A reconnecting worker retires its previous connection, if it proves it with that connection's token. */
  private void reattach(String previousWorkerId, String token) {
    WorkerConnection previous = gateway.connection(previousWorkerId);
    // A worker reattaches only to a connection of the listener it came through: a public client
    // never retires a trusted worker, whatever it presents.
    if (previous == null || previous == this || previous.listener != listener) {
      return;
    }
    if (!Objects.equals(token, previous.reattachToken)) {
      listener.refusals().note(Level.WARNING, "worker " + this + ": reattach to " + previousWorkerId + " with a wrong or missing token; ignored");
      return;
    }
    LOG.info("worker " + this + " reattaches: retiring its previous connection " + previous);
    previous.retire();
  }

  /** At shutdown: tells the worker at once (1001, going away), as the stream socket tells its clients. */
  void goAway() {
    ws.close((short) 1001, "server shutting down");
  }

  /** Drops this connection's state now (before the replay that follows a reattach) and closes it. */
  private void retire() {
    cleanup();
    ws.close();
  }

  // ---------------------------------------------------------------- calls to the worker

  /** A call of one of this worker's functions, from anywhere on the event bus. */
  private void onCall(Message<Object> call) {
    String functionId = FunctionBus.functionId(call.address());
    if (closed) {
      FunctionBus.fail(call, stopped());
      return;
    }
    String invocationId = UUID.randomUUID().toString();
    long timerId = gateway.vertx().setTimer(gateway.limits().getCallTimeoutMs(), t -> {
      PendingInvocation expired = invocations.remove(invocationId);
      if (expired != null) {
        FunctionBus.fail(expired.call(), new FunctionException(ErrorCode.TIMEOUT,
            "Invocation of " + functionId + " timed out"));
      }
    });
    invocations.put(invocationId, new PendingInvocation(call, functionId, timerId));
    // The worker knows its functions by its own ids (without a function_registration_prefix).
    sendCall(WorkerFrames.invokeFunction(invocationId, access.workerFunctionId(functionId), call.body()));
  }

  private static FunctionException stopped() {
    return new FunctionException(ErrorCode.INVOCATION_STOPPED, "Invocation stopped");
  }

  // ---------------------------------------------------------------- outbound and teardown

  /**
   * Sends what the worker asked for (a result, a pong): never counted against it, however large,
   * so a worker reading a big {@code stream::list} is not taken for a slow consumer.
   */
  private void send(JsonObject frame) {
    if (closed) {
      return;
    }
    write(frame, true);
  }

  /**
   * Sends a call of one of the worker's functions: if what is queued for it beyond its own answers
   * exceeds {@code limits.outbound_queue_bytes}, the worker is too slow and is closed instead.
   */
  private void sendCall(JsonObject frame) {
    if (closed) {
      return;
    }
    if (queuedChars - requestedPending > gateway.limits().getOutboundQueueBytes()) {
      LOG.warning("closing slow worker " + this + ": more than " + gateway.limits().getOutboundQueueBytes()
          + " bytes queued (limits.outbound_queue_bytes)");
      cleanup();
      ws.close(CLOSE_SLOW_CONSUMER, "slow consumer");
      NodeMetrics.slowWorkerClosed();
      return;
    }
    write(frame, false);
  }

  /** Writes a frame, counted in {@link #queuedChars} (and, for an answer, {@link #requestedPending}) until sent. */
  private void write(JsonObject frame, boolean answer) {
    String text = frame.encode();
    long chars = text.length();
    queuedChars += chars;
    if (answer) {
      requestedPending += chars;
    }
    ws.writeTextMessage(text).onComplete(done -> {
      queuedChars -= chars;
      if (answer) {
        requestedPending -= chars;
      }
    });
  }

  /** Removes everything the worker registered and stops the calls it owes. Runs once. */
  private void cleanup() {
    if (closed) {
      return;
    }
    closed = true;
    NodeMetrics.workerConnectionClosed();
    gateway.connectionClosed(this);
    int functionCount = functions.size();
    int triggerCount = triggers.size();
    for (String id : new ArrayList<>(functions.keySet())) {
      if (gateway.functionOwners().release(id, this)) {
        gateway.releaseCluster(id, this);
      }
      yieldFunction(id);
    }
    for (String id : triggers) {
      if (gateway.triggerOwners().release(id, this)) {
        gateway.vertx().eventBus().send(TriggerAddresses.UNREGISTER, unregistration(id));
      }
    }
    triggers.clear();
    for (PendingInvocation pending : invocations.values()) {
      gateway.vertx().cancelTimer(pending.timerId());
      FunctionBus.fail(pending.call(), stopped());
    }
    invocations.clear();
    // Info, as its registration is: what a worker left behind is what an operator asks about.
    LOG.info("worker " + this + " disconnected; its " + functionCount + " function(s) and " + triggerCount
        + " trigger(s) are released");
  }

  @Override
  public String toString() {
    return name == null ? workerId : workerId + " (" + name + ")";
  }
}
