package io.streamnode.socket;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.RecordingFunction;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The join gate and the connection context (WIRE 1.4-1.6): {@code stream:join} handlers may refuse
 * a join with {@code {"unauthorized":true}}; the {@code auth_function} runs once per handshake,
 * never rejects, and its {@code context} reaches every join and leave payload; {@code stream:leave}
 * fires on leave and for each open subscription when the socket closes.
 */
@ExtendWith(VertxExtension.class)
class JoinAuthorizationTest {

  private static final String AUTH = "auth::connect";

  private static Future<StreamNode> start(Vertx vertx, String authFunction) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setAuthFunction(authFunction);
    return TestNodes.start(vertx, options);
  }

  /**
   * A join handler that refuses every join on stream {@code secret} (but subscription
   * {@code marker}'s, a test's positive control in that same stream) and records every payload.
   */
  private static Future<RecordingFunction> joinGate(Worker worker) {
    return RecordingFunction.register(worker, "gate::join", input -> Future.succeededFuture(FunctionResult.of(
            new JsonObject().put("unauthorized", "secret".equals(((JsonObject) input).getString("stream_name"))
                && !"marker".equals(((JsonObject) input).getString("subscription_id"))))))
        .compose(f -> worker.registerTrigger("stream:join", "gate::join", new JsonObject()).map(f));
  }

  private static Future<RecordingFunction> leaveRecorder(Worker worker) {
    return RecordingFunction.register(worker, "gate::leave")
        .compose(f -> worker.registerTrigger("stream:leave", "gate::leave", new JsonObject()).map(f));
  }

  private static Future<Void> set(Worker worker, String stream, String group, String item, Object data) {
    return worker.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", group)
        .put("item_id", item).put("data", data)).mapEmpty();
  }

  private static String payload(String sub, String stream, String group, String id, Object context) {
    return new JsonObject().put("subscription_id", sub).put("stream_name", stream).put("group_id", group)
        .put("id", id).put("context", context).encode();
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aRefusedJoinGetsOneUnauthorizedWrapperAndNeitherSyncNorEvents(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, null)
        .compose(node -> joinGate(worker)
            .compose(gate -> set(worker, "secret", "g1", "i1", "before"))
            .compose(v -> TestSocket.connect(vertx, node.streamSocketPort())))
        .compose(s -> s.join("sub-g", "secret", "g1", null).compose(v -> s.frame(0))
            .compose(v -> s.join("sub-i", "secret", "g1", "i1")).compose(v -> s.frame(1))
            // The marker is an allowed item subscription of the same group on the same connection:
            // only one group's events on one connection keep their order, so a wrongly delivered
            // "after" (written first) would come before "done".
            .compose(v -> s.join("marker", "secret", "g1", "m")).compose(v -> s.frame(2))
            .compose(v -> set(worker, "secret", "g1", "i1", "after"))
            .compose(v -> set(worker, "secret", "g1", "m", "done"))
            .compose(v -> s.frames(4)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("secret", "g1", null, "{\"type\":\"unauthorized\"}"), frames.get(0));
          assertGolden(wrapper("secret", "g1", "i1", "{\"type\":\"unauthorized\"}"), frames.get(1));
          assertGolden(wrapper("secret", "g1", "m", "{\"type\":\"sync\",\"data\":null}"), frames.get(2));
          assertGolden(wrapper("secret", "g1", "m", "{\"type\":\"create\",\"data\":\"done\"}"), frames.get(3));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void joinHandlersGetTheSnakeCasePayloadWithNullIdAndContext(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, null)
        .compose(node -> joinGate(worker).compose(gate -> TestSocket.connect(vertx, node.streamSocketPort())
            .compose(s -> s.join("sub-1", "orders", "g1", null)
                .compose(v -> s.join("sub-2", "orders", "g1", "i1"))
                .compose(v -> s.frames(2)))
            .compose(frames -> gate.calls(2))))
        .onComplete(testContext.succeeding(calls -> testContext.verify(() -> {
          assertEquals(payload("sub-1", "orders", "g1", null, null), ((JsonObject) calls.get(0)).encode());
          assertEquals(payload("sub-2", "orders", "g1", "i1", null), ((JsonObject) calls.get(1)).encode());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void onlyABooleanTrueUnauthorizedRefusesAFailingHandlerAllows(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, null)
        .compose(node -> worker.registerFunction("gate::odd", input -> Future.succeededFuture(FunctionResult.of(
                new JsonObject().put("unauthorized", "true"))))
            .compose(v -> worker.registerFunction("gate::fails", input -> Future.failedFuture(
                new FunctionException("boom", "handler failed", 500))))
            .compose(v -> worker.registerTrigger("stream:join", "gate::odd", new JsonObject()))
            .compose(v -> worker.registerTrigger("stream:join", "gate::fails", new JsonObject()))
            .compose(v -> TestSocket.connect(vertx, node.streamSocketPort())))
        .compose(s -> s.join("sub-1", "orders", "g1", "i1").compose(v -> s.frame(0)))
        .onComplete(testContext.succeeding(frame -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"sync\",\"data\":null}"), frame);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void theAuthFunctionGetsHeadersPathQueryParamsAndAddrOfTheHandshake(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, AUTH)
        .compose(node -> RecordingFunction.register(worker, AUTH).compose(auth -> TestSocket.connect(vertx,
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.streamSocketPort())
                    .setURI("/?token=a%20b&a=1&a=2&empty&=skipped&eq=x=y")
                    .addHeader("X-Token", "t1"))
            .compose(s -> auth.calls(1).map(calls -> {
              JsonObject input = (JsonObject) calls.get(0);
              testContext.verify(() -> {
                assertEquals(List.of("headers", "path", "query_params", "addr"), List.copyOf(input.fieldNames()));
                assertEquals("/", input.getString("path"));
                assertEquals(new JsonObject()
                        .put("token", new JsonArray().add("a%20b"))
                        .put("a", new JsonArray().add("1").add("2"))
                        .put("empty", new JsonArray().add(""))
                        .put("eq", new JsonArray().add("x=y")),
                    input.getJsonObject("query_params"));
                assertEquals("127.0.0.1:" + s.webSocket().localAddress().port(), input.getString("addr"));
                JsonObject headers = input.getJsonObject("headers");
                assertEquals("t1", headers.getString("x-token"));
                assertEquals("127.0.0.1:" + node.streamSocketPort(), headers.getString("host"));
                assertNotNull(headers.getString("sec-websocket-key"));
                assertTrue(headers.fieldNames().stream().allMatch(h -> h.equals(h.toLowerCase())),
                    "header names are lower-case: " + headers.fieldNames());
              });
              return calls;
            }))))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void theAuthContextReachesJoinAndLeavePayloads(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    JsonObject context = new JsonObject().put("userId", "u1").put("roles", new JsonArray().add("admin"));
    start(vertx, AUTH)
        .compose(node -> RecordingFunction.register(worker, AUTH,
                input -> Future.succeededFuture(FunctionResult.of(new JsonObject().put("context", context))))
            .compose(auth -> joinGate(worker))
            .compose(gate -> leaveRecorder(worker).compose(leaves -> TestSocket.connect(vertx, node.streamSocketPort())
                .compose(s -> s.join("sub-1", "orders", "g1", "i1").compose(v -> s.frame(0))
                    .compose(v -> s.leave("sub-1", "orders", "g1", "i1")))
                .compose(v -> Future.all(gate.calls(1), leaves.calls(1))))))
        .onComplete(testContext.succeeding(calls -> testContext.verify(() -> {
          List<Object> joins = calls.resultAt(0);
          List<Object> leaves = calls.resultAt(1);
          assertEquals(payload("sub-1", "orders", "g1", "i1", context), ((JsonObject) joins.get(0)).encode());
          assertEquals(payload("sub-1", "orders", "g1", "i1", context), ((JsonObject) leaves.get(0)).encode());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFailingAuthFunctionStillAcceptsTheSocketWithNullContext(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, AUTH)
        .compose(node -> RecordingFunction.register(worker, AUTH,
                input -> Future.failedFuture(new FunctionException("denied", "no token", 500)))
            .compose(auth -> joinGate(worker))
            .compose(gate -> TestSocket.connect(vertx, node.streamSocketPort())
                .compose(s -> s.join("sub-1", "orders", "g1", null).compose(v -> s.frame(0)))
                .compose(sync -> gate.calls(1).map(calls -> {
                  testContext.verify(() -> {
                    assertGolden(wrapper("orders", "g1", null, "{\"type\":\"sync\",\"data\":[]}"), sync);
                    assertEquals(payload("sub-1", "orders", "g1", null, null), ((JsonObject) calls.get(0)).encode());
                  });
                  return calls;
                }))))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void leaveFiresOnLeaveAndOncePerOpenSubscriptionWhenTheSocketCloses(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    start(vertx, null)
        .compose(node -> leaveRecorder(worker).compose(leaves -> TestSocket.connect(vertx, node.streamSocketPort())
            .compose(s -> s.join("a", "orders", "g1", null)
                .compose(v -> s.join("b", "orders", "g1", "i1"))
                .compose(v -> s.join("c", "orders", "g2", null))
                .compose(v -> s.frames(3))
                .compose(v -> s.leave("a", "orders", "g1", null))
                .compose(v -> leaves.calls(1))
                .compose(v -> s.close()))
            .compose(v -> leaves.calls(3))
            // Give a duplicate leave time to show up before counting.
            .compose(v -> vertx.timer(300))
            .map(v -> leaves.inputs())))
        .onComplete(testContext.succeeding(calls -> testContext.verify(() -> {
          assertEquals(3, calls.size(), "one leave per subscription: " + calls);
          assertEquals(payload("a", "orders", "g1", null, null), ((JsonObject) calls.get(0)).encode());
          List<String> onClose = calls.subList(1, 3).stream().map(c -> ((JsonObject) c).encode())
              .sorted(Comparator.naturalOrder()).toList();
          assertEquals(List.of(payload("b", "orders", "g1", "i1", null), payload("c", "orders", "g2", null, null)), onClose);
          testContext.completeNow();
        })));
  }
}
