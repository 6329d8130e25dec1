package io.streamnode.examples;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The example verticle, deployed by class name as --deploy does, counts joins and leaves live. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class PresenceCounterVerticleTest {

  private int wsPort;
  private Worker worker;
  private WebSocketClient client;

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setPort(0);
    options.getHttpApi().setEnabled(false);
    options.setDeploy(List.of(PresenceCounterVerticle.class.getName()));
    StreamNode.start(vertx, options).onComplete(ctx.succeeding(node -> {
      wsPort = node.streamSocketPort();
      worker = Worker.create(vertx);
      client = vertx.createWebSocketClient();
      ctx.completeNow();
    }));
  }

  private Future<WebSocket> joinRoom(Vertx vertx, String subId) {
    return client.connect(wsPort, "127.0.0.1", "/").compose(ws -> {
      Promise<WebSocket> synced = Promise.promise();
      ws.textMessageHandler(text -> {
        if ("sync".equals(new JsonObject(text).getJsonObject("event").getString("type"))) {
          synced.tryComplete(ws);
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "join").put("data", new JsonObject()
          .put("subscriptionId", subId).put("streamName", "chat").put("groupId", "room-1")).encode());
      return synced.future();
    });
  }

  private Future<FunctionResult> count() {
    return worker.call("stream::get", new JsonObject().put("stream_name", "presence").put("group_id", "chat")
        .put("item_id", "room-1"));
  }

  /** The room's count once it equals {@code online} (the join/leave handlers run after the socket is answered), or the last one read after 10 s. */
  private Future<FunctionResult> countOnceItIs(Vertx vertx, int online, long deadline) {
    return count().compose(r -> {
      if (new JsonObject().put("online", online).equals(r.value()) || System.currentTimeMillis() > deadline) {
        return Future.succeededFuture(r);
      }
      return pause(vertx).compose(v -> countOnceItIs(vertx, online, deadline));
    });
  }

  private Future<Void> pause(Vertx vertx) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(100, t -> p.complete());
    return p.future();
  }

  @Test
  void joinsIncrementAndClosesDecrementTheRoomsCount(Vertx vertx, VertxTestContext ctx) {
    joinRoom(vertx, "a").compose(first -> joinRoom(vertx, "b").compose(second ->
            countOnceItIs(vertx, 2, System.currentTimeMillis() + 10_000)
            .compose(two -> {
              ctx.verify(() -> assertEquals(new JsonObject().put("online", 2), two.value()));
              return first.close();
            })))
        .compose(v -> countOnceItIs(vertx, 1, System.currentTimeMillis() + 10_000))
        .onComplete(ctx.succeeding(one -> ctx.verify(() -> {
          assertEquals(new JsonObject().put("online", 1), one.value());
          ctx.completeNow();
        })));
  }

  @Test
  void watchingThePresenceStreamItselfIsNotCounted(Vertx vertx, VertxTestContext ctx) {
    client.connect(wsPort, "127.0.0.1", "/")
        .compose(ws -> ws.writeTextMessage(new JsonObject().put("type", "join").put("data", new JsonObject()
            .put("subscriptionId", "p").put("streamName", "presence").put("groupId", "chat")).encode()))
        // A counted join afterwards is the marker: once its count shows, the first join's handler has run too.
        .compose(v -> joinRoom(vertx, "marker"))
        .compose(ws -> countOnceItIs(vertx, 1, System.currentTimeMillis() + 10_000))
        .compose(v -> worker.call("stream::list_all", new JsonObject()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(new JsonObject("{\"stream\":[{\"id\":\"presence\",\"groups\":[\"chat\"]}],\"count\":1}"),
              all.value(), "only the marker's room is counted, not the watcher of presence/chat");
          ctx.completeNow();
        })));
  }
}
