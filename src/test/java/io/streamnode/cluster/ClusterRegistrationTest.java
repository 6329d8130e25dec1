package io.streamnode.cluster;

import io.streamnode.testing.Bounded;
import io.streamnode.testing.LogLines;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.worker.WorkerSocketVerticle;
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

import java.util.List;
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
      // The handler goes on before connecting: the node's first frame comes at once.
      io.vertx.core.http.ClientWebSocket socket = client.webSocket();
      socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
      WebSocket ws = get(socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(cluster.node(node).workerSocketPort()).setURI("/").setAllowOriginHeader(false)));
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
    // Node 0 cleans up the old connection once it sees the close, as it logs; waiting for that
    // line, not a fixed time, makes sure the write below comes after the cleanup it tests.
    try (LogLines logged = LogLines.of("io.streamnode.worker.WorkerConnection")) { // package-private class
      get(before.ws().close());
      Bounded.until(30, () -> logged.any(m -> m.startsWith("worker ") && m.contains(" disconnected;")
          && m.contains(" 1 trigger(s)")), () -> "node 0 never cleaned up the closed connection: " + logged.messages());
    }
    HttpFunctions http = HttpFunctions.create(cluster.members.get(0).vertx(), cluster.node(0).httpPort());
    http.call("stream::set", new JsonObject().put("stream_name", "cr1").put("group_id", "g").put("item_id", "i").put("data", 1));
    JsonObject call = after.nextCall();
    assertNotNull(call, "the trigger was lost cluster-wide when the old connection was cleaned up");
    assertEquals("cr::handler", call.getString("function_id"));
    after.answer(call, null);
    get(after.ws().close());
  }

  /**
   * Calls cr::greet through node 0: true once the last registrant got (and answered) it, false
   * while no handler takes it yet; a call left unanswered (sent to the first registrant) fails.
   */
  private static boolean reachesLast(HttpFunctions http, Raw last) throws Exception {
    Future<Object> probe = http.call("cr::greet", new JsonObject().put("probe", true));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!probe.isComplete() && System.nanoTime() < deadline) {
      JsonObject f = last.frames().poll(50, TimeUnit.MILLISECONDS);
      if (f != null && "invokefunction".equals(f.getString("type"))) {
        last.answer(f, "from last");
      }
    }
    return "from last".equals(get(probe.otherwise("no handler yet")));
  }

  @Test
  void theLastRegistrationOfAFunctionIdWinsAcrossNodes() throws Exception {
    Raw first = Raw.connect(0);
    first.send(registerFunction("cr::greet")).sync();
    // Node 0 hears of the newer registration asynchronously (a Hazelcast entry event, then a read
    // of the owner): wait for it to let the first registrant's function go, as it logs, rather than
    // for a fixed time that a loaded machine can outlast.
    Raw last;
    try (LogLines logged = LogLines.of(WorkerSocketVerticle.class.getName())) {
      last = Raw.connect(1);
      last.send(registerFunction("cr::greet")).sync();
      Bounded.until(30, () -> logged.any(m -> m.startsWith("function cr::greet moves from worker")),
          () -> "node 0 never let the first registrant's cr::greet go: " + logged.messages());
    }
    HttpFunctions http = HttpFunctions.create(cluster.members.get(0).vertx(), cluster.node(0).httpPort());
    // The last registrant's handler reaches node 0's view of the event bus asynchronously too: until
    // it does, a call finds no handler and fails. The first registrant, released, must get none.
    Bounded.until(30, () -> {
      try {
        return reachesLast(http, last);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, () -> "a call through node 0 never reached the last registrant");
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
