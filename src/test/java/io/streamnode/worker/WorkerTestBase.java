package io.streamnode.worker;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionBus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

/** A node with a 15 s call timeout per test, and frame builders in the SDK's own shapes. */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
abstract class WorkerTestBase {

  protected StreamNode node;
  protected int port;
  protected FunctionBus functions;
  protected Vertx vertx;

  protected NodeOptions options() {
    return TestNodes.options();
  }

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    node = TestNodes.start(vertx, options());
    port = node.workerSocketPort();
    functions = new FunctionBus(vertx, 20_000);
  }

  @AfterEach
  void stopNode() {
    node.close().await();
  }

  /** A connected worker whose {@code workerregistered} has been read. */
  protected RawWorker worker() throws InterruptedException {
    RawWorker worker = RawWorker.connect(vertx, port);
    worker.next("workerregistered");
    return worker;
  }

  /** Sends a JSON ping and waits for the pong: everything sent before it has been handled. */
  protected static void sync(RawWorker worker) throws InterruptedException {
    worker.send(new JsonObject().put("type", "ping"));
    worker.next("pong");
  }

  /**
   * The next {@code n} frames keyed by type, for exchanges whose order is not fixed (a trigger's
   * {@code invokefunction} may come before or after the result of the write that fired it).
   */
  protected static java.util.Map<String, JsonObject> nextByType(RawWorker worker, int n) throws InterruptedException {
    java.util.Map<String, JsonObject> frames = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      JsonObject frame = worker.next();
      frames.put(frame.getString("type"), frame);
    }
    return frames;
  }

  static JsonObject registerFunction(String id) {
    return new JsonObject().put("type", "registerfunction").put("id", id);
  }

  static JsonObject unregisterFunction(String id) {
    return new JsonObject().put("type", "unregisterfunction").put("id", id);
  }

  /** As iii-sdk 0.22.1 emits it, stray {@code message_type} included. */
  static JsonObject registerTrigger(String id, String type, String functionId, JsonObject config) {
    return new JsonObject().put("type", "registertrigger").put("function_id", functionId).put("config", config)
        .put("id", id).put("message_type", "registertrigger").put("trigger_type", type);
  }

  static JsonObject unregisterTrigger(String id, String type) {
    return new JsonObject().put("type", "unregistertrigger").put("id", id).put("message_type", "unregistertrigger")
        .put("trigger_type", type);
  }

  static JsonObject invoke(String invocationId, String functionId, Object data) {
    JsonObject frame = new JsonObject().put("type", "invokefunction");
    if (invocationId != null) {
      frame.put("invocation_id", invocationId);
    }
    return frame.put("function_id", functionId).put("data", data);
  }

  static JsonObject invokeVoid(String functionId, Object data) {
    return invoke(null, functionId, data).put("action", new JsonObject().put("type", "void"));
  }

  static JsonObject result(JsonObject invoke, Object result) {
    return new JsonObject().put("type", "invocationresult").put("invocation_id", invoke.getString("invocation_id"))
        .put("function_id", invoke.getString("function_id")).put("result", result);
  }

  static JsonObject noResult(JsonObject invoke) {
    return new JsonObject().put("type", "invocationresult").put("invocation_id", invoke.getString("invocation_id"))
        .put("function_id", invoke.getString("function_id"));
  }

  static JsonObject error(JsonObject invoke, String code, String message) {
    return noResult(invoke).put("error", new JsonObject().put("code", code).put("message", message)
        .put("stacktrace", "Error: " + message + "\n    at handler (worker.js:1:1)"));
  }

  static String uuid() {
    return UUID.randomUUID().toString();
  }

  static JsonObject set(String stream, String group, String item, Object data) {
    return new JsonObject().put("stream_name", stream).put("group_id", group).put("item_id", item).put("data", data);
  }
}
