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
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class PresenceCounterVerticleTest {

  /** How long the count may take to follow a join or a close: generous, a loaded CI machine is slow, not wrong. */
  private static final long WAIT_MS = 30_000;

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

  /** The room's count once it equals {@code online} (the join/leave handlers run after the socket is answered), or the last one read after {@link #WAIT_MS}. */
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
            countOnceItIs(vertx, 2, System.currentTimeMillis() + WAIT_MS)
            .compose(two -> {
              ctx.verify(() -> assertEquals(new JsonObject().put("online", 2), two.value()));
              return first.close();
            })))
        .compose(v -> countOnceItIs(vertx, 1, System.currentTimeMillis() + WAIT_MS))
        .onComplete(ctx.succeeding(one -> ctx.verify(() -> {
          assertEquals(new JsonObject().put("online", 1), one.value());
          ctx.completeNow();
        })));
  }

  @Test
  void watchingThePresenceStreamItselfIsNotCounted(Vertx vertx, VertxTestContext ctx) {
    Promise<Void> watcherSynced = Promise.promise();
    client.connect(wsPort, "127.0.0.1", "/")
        .compose(ws -> {
          ws.textMessageHandler(text -> {
            if ("sync".equals(new JsonObject(text).getJsonObject("event").getString("type"))) {
              watcherSynced.tryComplete();
            }
          });
          return ws.writeTextMessage(new JsonObject().put("type", "join").put("data", new JsonObject()
              .put("subscriptionId", "p").put("streamName", "presence").put("groupId", "chat")).encode());
        })
        // A join's sync is sent after its join handlers have answered, and the counter answers
        // after its write: once the watcher is synced, whatever the counter did for it is stored.
        .compose(v -> watcherSynced.future())
        .compose(v -> worker.call("stream::list_all", new JsonObject()))
        .compose(all -> {
          ctx.verify(() -> assertEquals(new JsonObject("{\"stream\":[],\"count\":0}"), all.value(),
              "the watcher of presence/chat is not counted"));
          // Positive control: the counter is running, a join on another stream is counted.
          return joinRoom(vertx, "counted");
        })
        .compose(ws -> countOnceItIs(vertx, 1, System.currentTimeMillis() + WAIT_MS))
        .onComplete(ctx.succeeding(one -> ctx.verify(() -> {
          assertEquals(new JsonObject().put("online", 1), one.value());
          ctx.completeNow();
        })));
  }
}
