package io.streamnode.cluster;

import io.streamnode.testing.HttpFunctions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Registrations belong to their connection, cluster-wide: a worker that reconnects through another
 * node keeps its triggers when its old node cleans up, and the last registration of a function id
 * wins across nodes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ClusterRegistrationTest {

  private static ThreeMembers cluster;

  @BeforeAll
  static void startCluster(VertxTestContext ctx) {
    ThreeMembers.start(2).onComplete(ctx.succeeding(c -> {
      cluster = c;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stopCluster(VertxTestContext ctx) {
    if (cluster == null) {
      ctx.completeNow();
      return;
    }
    cluster.stop().onComplete(ctx.succeedingThenComplete());
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** A raw worker on node {@code i}. */
  private record Raw(WebSocket ws, BlockingQueue<JsonObject> frames) {
    static Raw connect(int node) throws Exception {
      Vertx vertx = cluster.members.get(node).vertx();
      WebSocketClient client = vertx.createWebSocketClient();
      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      WebSocket ws = get(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
              .setPort(cluster.node(node).workerSocketPort()).setURI("/").setAllowOriginHeader(false))
          .map(s -> {
            s.textMessageHandler(t -> frames.add(new JsonObject(t)));
            return s;
          }));
      return new Raw(ws, frames);
    }

    Raw send(JsonObject frame) throws Exception {
      get(ws.writeTextMessage(frame.encode()));
      return this;
    }

    /** Round trip: everything sent before has been handled by its node. */
    void sync() throws Exception {
      String id = UUID.randomUUID().toString();
      send(new JsonObject().put("type", "invokefunction").put("invocation_id", id).put("function_id", "stream::list_all")
          .put("data", new JsonObject()));
      while (true) {
        JsonObject f = frames.poll(10, TimeUnit.SECONDS);
        assertNotNull(f, "no answer to the sync call");
        if (id.equals(f.getString("invocation_id"))) {
          return;
        }
      }
    }

    JsonObject nextCall() throws Exception {
      while (true) {
        JsonObject f = frames.poll(10, TimeUnit.SECONDS);
        if (f == null || "invokefunction".equals(f.getString("type"))) {
          return f;
        }
      }
    }

    void answer(JsonObject call, Object result) throws Exception {
      send(new JsonObject().put("type", "invocationresult").put("invocation_id", call.getString("invocation_id"))
          .put("function_id", call.getString("function_id")).put("result", result));
    }
  }

  private static JsonObject registerFunction(String id) {
    return new JsonObject().put("type", "registerfunction").put("id", id);
  }

  private static JsonObject registerTrigger(String id, String functionId, String stream) {
    return new JsonObject().put("type", "registertrigger").put("id", id).put("trigger_type", "stream")
        .put("function_id", functionId).put("config", new JsonObject().put("stream_name", stream));
  }

  @Test
  void aWorkerReconnectingThroughAnotherNodeKeepsItsTriggers() throws Exception {
    Raw before = Raw.connect(0);
    before.send(registerFunction("cr::handler")).send(registerTrigger("cr-trigger", "cr::handler", "cr1")).sync();
    // The SDK reconnects through node 1 and replays its registrations, then the old connection dies.
    Raw after = Raw.connect(1);
    after.send(registerFunction("cr::handler")).send(registerTrigger("cr-trigger", "cr::handler", "cr1")).sync();
    get(before.ws().close());
    Thread.sleep(1_000); // node 0 cleans up the old connection
    HttpFunctions http = HttpFunctions.create(cluster.members.get(0).vertx(), cluster.node(0).httpPort());
    http.call("stream::set", new JsonObject().put("stream_name", "cr1").put("group_id", "g").put("item_id", "i").put("data", 1));
    JsonObject call = after.nextCall();
    assertNotNull(call, "the trigger was lost cluster-wide when the old connection was cleaned up");
    assertEquals("cr::handler", call.getString("function_id"));
    after.answer(call, null);
    get(after.ws().close());
  }

  @Test
  void theLastRegistrationOfAFunctionIdWinsAcrossNodes() throws Exception {
    Raw first = Raw.connect(0);
    first.send(registerFunction("cr::greet")).sync();
    Raw last = Raw.connect(1);
    last.send(registerFunction("cr::greet")).sync();
    Thread.sleep(500); // node 0 hears of the newer registration
    HttpFunctions http = HttpFunctions.create(cluster.members.get(0).vertx(), cluster.node(0).httpPort());
    for (int i = 0; i < 6; i++) {
      Future<Object> result = http.call("cr::greet", new JsonObject().put("n", i));
      JsonObject call = last.nextCall();
      assertNotNull(call, "call " + i + " did not reach the last registrant");
      last.answer(call, "from last");
      assertEquals("from last", get(result));
    }
    assertNull(first.frames().stream().filter(f -> "invokefunction".equals(f.getString("type"))).findAny().orElse(null),
        "the first registrant still got calls");
    get(first.ws().close());
    get(last.ws().close());
  }
}
