package io.streamnode.worker;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.streamnode.http.HttpApiOptions;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.HttpFunctions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node with the public worker socket enabled and its auth function served in-process by the
 * application ({@link Worker}): a client presenting {@code ?token=good} gets {@link #grants()},
 * any other is refused by the function. The HTTP API is on, for writes made as an outside client
 * would; calls time out after 5 s: long enough that a hook answering after 150-300 ms or a raw
 * worker answering from the test thread is never timed out by a stall of a loaded machine (1 s
 * was not), short enough that the silent-auth-function test stays quick.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
abstract class PublicWorkerTestBase {

  static final String AUTH = "app::auth";
  static final String GOOD = "token=good";
  static final long CALL_TIMEOUT_MS = 5_000;
  static final long WAIT_S = 10;

  protected Vertx vertx;
  protected StreamNode node;
  /** The application's in-process worker: serves the auth function and whatever a test adds. */
  protected Worker app;
  protected FunctionBus functions;
  protected HttpFunctions http;
  /** Every input the auth function was called with. */
  protected final List<JsonObject> authInputs = new CopyOnWriteArrayList<>();
  /** What the auth function does; the default accepts {@code ?token=good} with {@link #grants()}. */
  protected volatile FunctionHandler auth = this::acceptGoodToken;

  /** What a connection with the good token is granted; none by default ({@code {}}: iii's defaults). */
  protected JsonObject grants() {
    return new JsonObject();
  }

  /** {@code rbac.expose_functions}. */
  protected List<Object> exposeFunctions() {
    return List.of("match(\"stream::list\")", "match(\"public::*\")",
        new JsonObject().put("metadata", new JsonObject().put("public", true)));
  }

  protected NodeOptions options() {
    NodeOptions options = TestNodes.options().setHttpApi(new HttpApiOptions().setPort(0));
    options.getLimits().setCallTimeoutMs(CALL_TIMEOUT_MS);
    options.getPublicWorkerSocket().setEnabled(true).setPort(0).getRbac()
        .setAuthFunctionId(AUTH).setExposeFunctions(exposeFunctions());
    return options;
  }

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    node = Bounded.await(StreamNode.start(vertx, options()), 20);
    app = Worker.create(vertx);
    Bounded.await(app.registerFunction(AUTH, input -> {
      authInputs.add((JsonObject) input);
      return auth.handle(input);
    }), WAIT_S);
    functions = new FunctionBus(vertx, 20_000);
    http = HttpFunctions.create(vertx, node.httpPort());
  }

  @AfterEach
  void stopNode() {
    Bounded.await(app.close().eventually(() -> node.close()), 20);
  }

  private Future<FunctionResult> acceptGoodToken(Object input) {
    JsonArray token = ((JsonObject) input).getJsonObject("query_params").getJsonArray("token");
    if (token != null && token.contains("good")) {
      return Future.succeededFuture(FunctionResult.of(grants()));
    }
    return Future.failedFuture(new FunctionException(ErrorCode.UNAUTHORIZED, "bad or missing token"));
  }

  protected int publicPort() {
    return node.publicWorkerSocketPort();
  }

  /** A raw connection to the public listener at {@code /?query}; nothing read yet. */
  protected RawWorker connectPublic(String query) {
    return RawWorker.connect(vertx, publicPort(), query.isEmpty() ? "/" : "/?" + query);
  }

  protected RawWorker connectPublic(String query, Map<String, String> headers) {
    return RawWorker.connect(vertx, publicPort(), query.isEmpty() ? "/" : "/?" + query, headers);
  }

  /** A connection with the good token whose {@code workerregistered} has been read. */
  protected RawWorker publicWorker() throws InterruptedException {
    RawWorker worker = connectPublic(GOOD);
    worker.next("workerregistered");
    return worker;
  }

  /** A worker on the private worker socket (trusted), {@code workerregistered} read. */
  protected RawWorker privateWorker() throws InterruptedException {
    RawWorker worker = RawWorker.connect(vertx, node.workerSocketPort());
    worker.next("workerregistered");
    return worker;
  }

  /** The error code of the {@code invocationresult} answering {@code invocationId}, asserting it failed. */
  protected static JsonObject errorOf(RawWorker worker, String invocationId) throws InterruptedException {
    JsonObject result = worker.next(f -> "invocationresult".equals(f.getString("type"))
        && invocationId.equals(f.getString("invocation_id")));
    JsonObject error = result.getJsonObject("error");
    assertEquals(true, error != null, () -> "expected an error, got " + result);
    return error;
  }

  /** A call through the HTTP API, as an outside client; its decoded result. */
  protected Object httpCall(String functionId, Object input) {
    return Bounded.await(http.call(functionId, input), WAIT_S);
  }

  /** A call from inside the node; fails with the wire error. */
  protected FunctionResult call(String functionId, Object input) {
    return Bounded.await(functions.call(functionId, input), WAIT_S);
  }

  /** The wire code a call from inside the node fails with. */
  protected String failureCode(String functionId, Object input) {
    Future<FunctionResult> call = functions.call(functionId, input);
    try {
      call.toCompletionStage().toCompletableFuture().get(WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return ((FunctionException) e.getCause()).code();
    } catch (Exception e) {
      throw new AssertionError("call of " + functionId + " not done within " + WAIT_S + " s", e);
    }
    throw new AssertionError(functionId + " answered " + call.result());
  }

  /** Sends a JSON ping and waits for the pong: everything sent before it has been handled. */
  protected static void sync(RawWorker worker) throws InterruptedException {
    worker.send(new JsonObject().put("type", "ping"));
    worker.next("pong");
  }
}
