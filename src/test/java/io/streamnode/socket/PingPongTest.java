package io.streamnode.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket control pings are answered with a pong carrying the same payload (the iii SDKs'
 * keepalive), also while a join is still waiting for its handlers, and no JSON is sent for them.
 */
@ExtendWith(VertxExtension.class)
class PingPongTest {

  private StreamNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNodes.start(vertx).onComplete(testContext.succeeding(n -> {
      node = n;
      testContext.completeNow();
    }));
  }

  private static Future<Buffer> ping(TestSocket s, Buffer payload) {
    Promise<Buffer> pong = Promise.promise();
    s.webSocket().pongHandler(pong::tryComplete);
    return s.webSocket().writePing(payload).compose(v -> pong.future());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aPingIsAnsweredWithAPongCarryingTheSamePayload(Vertx vertx, VertxTestContext testContext) {
    Buffer payload = Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff}).appendString("keepalive-42");
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> ping(s, payload)
            .compose(pong -> {
              testContext.verify(() -> assertEquals(payload, pong));
              return ping(s, Buffer.buffer());
            })
            .map(empty -> {
              testContext.verify(() -> {
                assertEquals(0, empty.length());
                assertEquals(List.of(), s.received(), "no JSON message answers a ping");
              });
              return empty;
            }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aPingIsAnsweredWhileAJoinWaitsForItsHandler(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    Promise<FunctionResult> release = Promise.promise();
    worker.registerFunction("slow::join", input -> release.future())
        .compose(v -> worker.registerTrigger("stream:join", "slow::join", new JsonObject()))
        .compose(v -> TestSocket.connect(vertx, node.streamSocketPort()))
        .compose(s -> s.join("sub", "orders", "g1", null)
            .compose(v -> ping(s, Buffer.buffer("during join")))
            .compose(pong -> {
              testContext.verify(() -> {
                assertEquals("during join", pong.toString());
                assertEquals(List.of(), s.received(), "the join is still pending");
              });
              release.complete(FunctionResult.NONE);
              return s.frame(0);
            }))
        .onComplete(testContext.succeeding(sync -> testContext.verify(() -> {
          assertEquals("sync", sync.getJsonObject("event").getString("type"));
          testContext.completeNow();
        })));
  }
}
