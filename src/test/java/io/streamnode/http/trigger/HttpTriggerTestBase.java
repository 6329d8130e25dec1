package io.streamnode.http.trigger;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.PlainHttp;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A node per test, a Java API {@link Worker} that registers routes on it, and a real HTTP client.
 * Tests block the JUnit thread (never an event loop), each wait bounded.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class HttpTriggerTestBase {

  /** The bound of a wait for something that should happen at once: generous, a loaded CI machine is slow, not wrong. */
  static final long WAIT_S = 30;

  protected Vertx vertx;
  protected StreamNode node;
  protected Worker worker;
  protected PlainHttp http;

  /** The node's options; every listener on a free port. */
  protected NodeOptions options() {
    return TestNodes.options();
  }

  @BeforeEach
  void startNode(Vertx vertx) throws Exception {
    this.vertx = vertx;
    node = TestNodes.start(vertx, options()).await(WAIT_S, TimeUnit.SECONDS);
    worker = Worker.create(vertx);
    http = PlainHttp.to(node.httpPort());
  }

  @AfterEach
  void stopNode() throws Exception {
    worker.close().await(WAIT_S, TimeUnit.SECONDS);
    node.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_S, TimeUnit.SECONDS);
  }

  /** Serves {@code functionId} with {@code handler}. */
  protected void function(String functionId, FunctionHandler handler) throws Exception {
    await(worker.registerFunction(functionId, handler));
  }

  /** Registers an {@code http} trigger; returns its id. */
  protected String route(String method, String apiPath, String functionId, JsonObject extraConfig) throws Exception {
    JsonObject config = new JsonObject().put("api_path", apiPath).put("http_method", method).mergeIn(extraConfig);
    return await(worker.registerTrigger("http", functionId, config));
  }

  protected String route(String method, String apiPath, String functionId) throws Exception {
    return route(method, apiPath, functionId, new JsonObject());
  }

  /** A handler that answers {@code response} whatever it is given. */
  static FunctionHandler answering(Object response) {
    return input -> Future.succeededFuture(FunctionResult.of(response));
  }

  /** A handler that puts its input in {@code inputs} and answers {@code response}. */
  static FunctionHandler recording(BlockingQueue<JsonObject> inputs, Object response) {
    return input -> {
      inputs.add((JsonObject) input);
      return Future.succeededFuture(FunctionResult.of(response));
    };
  }

  static BlockingQueue<JsonObject> queue() {
    return new LinkedBlockingQueue<>();
  }

  /** The next recorded input, within {@link #WAIT_S}. */
  static JsonObject next(BlockingQueue<JsonObject> inputs) throws InterruptedException {
    JsonObject input = inputs.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(input, "nothing recorded within " + WAIT_S + " s");
    return input;
  }

  static JsonObject ok(Object body) {
    return new JsonObject().put("status_code", 200).put("body", body);
  }
}
