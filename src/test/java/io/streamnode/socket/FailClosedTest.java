package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fail-closed options: {@code stream_socket.auth_required} refuses a handshake whose auth
 * function fails, times out or gives no context (401); every join handler call is bounded by
 * {@code limits.call_timeout_ms}, and {@code stream_socket.join_fail_closed} refuses a join whose
 * handler failed or timed out.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class FailClosedTest {

  /**
   * Working handlers (an allowing join handler, an auth function giving a context) must answer
   * within it even when a loaded machine stalls: 400 ms once was not enough for them.
   */
  private static final long CALL_TIMEOUT_MS = 2_000;
  /** Below the default call timeout (30 s): an answer this late was not bounded by ours. */
  private static final long ANSWERED_WITHIN_MS = 15_000;

  private StreamNode node;
  private Worker worker;

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      get(worker.close());
    }
    if (node != null) {
      get(node.close());
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private void start(Vertx vertx, Consumer<StreamSocketOptions> configure) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getLimits().setCallTimeoutMs(CALL_TIMEOUT_MS);
    configure.accept(options.getStreamSocket());
    node = get(TestNodes.start(vertx, options));
    worker = Worker.create(vertx);
  }

  private static Future<FunctionResult> never(Object input) {
    return Promise.<FunctionResult>promise().future();
  }

  private static Future<FunctionResult> failing(Object input) {
    return Future.failedFuture(new FunctionException("boom", "handler down", 500));
  }

  private void joinHandler(io.streamnode.function.FunctionHandler handler) throws Exception {
    get(worker.registerFunction("fc::join", handler));
    get(worker.registerTrigger("stream:join", "fc::join", new JsonObject()));
  }

  /** Joins and returns the first frame's event type, and how long it took to arrive. */
  private Object[] joinAnswer(Vertx vertx) throws Exception {
    TestSocket socket = get(TestSocket.connect(vertx, node.streamSocketPort()));
    long t0 = System.nanoTime();
    get(socket.join("s1", "fc", "g", null));
    JsonObject frame = get(socket.frame(0));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    get(socket.close());
    return new Object[] {frame.getJsonObject("event").getString("type"), ms};
  }

  @Test
  void aJoinHandlerThatNeverAnswersLetsTheJoinInAfterTheCallTimeoutByDefault(Vertx vertx) throws Exception {
    start(vertx, o -> { });
    joinHandler(FailClosedTest::never);
    Object[] answer = joinAnswer(vertx);
    assertEquals("sync", answer[0]);
    assertTrue((long) answer[1] >= CALL_TIMEOUT_MS - 50 && (long) answer[1] < ANSWERED_WITHIN_MS, "answered after " + answer[1] + " ms");
  }

  @Test
  void joinFailClosedRefusesAJoinWhoseHandlerTimesOut(Vertx vertx) throws Exception {
    start(vertx, o -> o.setJoinFailClosed(true));
    joinHandler(FailClosedTest::never);
    Object[] answer = joinAnswer(vertx);
    assertEquals("unauthorized", answer[0]);
    assertTrue((long) answer[1] < ANSWERED_WITHIN_MS, "answered after " + answer[1] + " ms");
  }

  @Test
  void joinFailClosedRefusesAJoinWhoseHandlerFails(Vertx vertx) throws Exception {
    start(vertx, o -> o.setJoinFailClosed(true));
    joinHandler(FailClosedTest::failing);
    assertEquals("unauthorized", joinAnswer(vertx)[0]);
  }

  @Test
  void joinFailClosedStillAllowsWhatAWorkingHandlerAllows(Vertx vertx) throws Exception {
    start(vertx, o -> o.setJoinFailClosed(true));
    joinHandler(in -> Future.succeededFuture(FunctionResult.of(new JsonObject().put("unauthorized", false))));
    assertEquals("sync", joinAnswer(vertx)[0]);
  }

  @Test
  void aFailingJoinHandlerLetsTheJoinInByDefaultAsIiiDoes(Vertx vertx) throws Exception {
    start(vertx, o -> { });
    joinHandler(FailClosedTest::failing);
    assertEquals("sync", joinAnswer(vertx)[0]);
  }

  private int upgradeStatus(Vertx vertx) throws Exception {
    try {
      TestSocket socket = get(TestSocket.connect(vertx, node.streamSocketPort()));
      get(socket.close());
      return 101;
    } catch (ExecutionException e) {
      return assertInstanceOf(UpgradeRejectedException.class, e.getCause()).getStatus();
    }
  }

  @Test
  void authRequiredRefusesAHandshakeWhoseAuthFunctionFailsTimesOutOrGivesNoContext(Vertx vertx) throws Exception {
    start(vertx, o -> o.setAuthFunction("fc::auth").setAuthRequired(true));
    assertEquals(401, upgradeStatus(vertx), "no auth function registered");
    for (io.streamnode.function.FunctionHandler handler : List.<io.streamnode.function.FunctionHandler>of(
        FailClosedTest::failing, FailClosedTest::never,
        in -> Future.succeededFuture(FunctionResult.NONE),
        in -> Future.succeededFuture(FunctionResult.of(new JsonObject())))) {
      get(worker.registerFunction("fc::auth", handler));
      assertEquals(401, upgradeStatus(vertx));
    }
    get(worker.registerFunction("fc::auth", in -> Future.succeededFuture(FunctionResult.of(
        new JsonObject().put("context", new JsonObject().put("user", "u"))))));
    assertEquals(101, upgradeStatus(vertx));
  }

  @Test
  void withoutAuthRequiredAFailingAuthFunctionStillConnects(Vertx vertx) throws Exception {
    start(vertx, o -> o.setAuthFunction("fc::auth"));
    get(worker.registerFunction("fc::auth", FailClosedTest::failing));
    assertEquals(101, upgradeStatus(vertx));
  }

  @Test
  void authRequiredWithoutAnAuthFunctionStopsStartUp(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setAuthRequired(true);
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(TestNodes.start(vertx, options)));
    assertTrue(e.getCause().getMessage().contains("stream_socket.auth_required"), e.getCause().getMessage());
  }
}
