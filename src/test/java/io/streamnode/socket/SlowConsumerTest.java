package io.streamnode.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
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
 * A client that stops reading is closed (1008, "slow consumer") once more than
 * {@code limits.outbound_queue_bytes} wait for it, and the publisher and the other subscribers
 * never wait for it: a healthy client gets every event, in order.
 */
@ExtendWith(VertxExtension.class)
class SlowConsumerTest {

  private static final int QUEUE_BYTES = 256 * 1024;
  private static final int ITEM_CHARS = 32 * 1024;
  /** 400 x 32 KB = 12.8 MB: far more than socket buffers and the outbound queue can hold. */
  private static final int ITEMS = 400;

  private StreamNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    NodeOptions options = TestNodes.options();
    options.getLimits().setOutboundQueueBytes(QUEUE_BYTES);
    TestNodes.start(vertx, options).onComplete(testContext.succeeding(n -> {
      node = n;
      testContext.completeNow();
    }));
  }

  private static Future<Void> publish(Worker worker, int from) {
    if (from == ITEMS) {
      return Future.succeededFuture();
    }
    String data = String.format("%05d", from) + "x".repeat(ITEM_CHARS);
    return worker.call("stream::set", new JsonObject().put("stream_name", "big").put("group_id", "g")
            .put("item_id", "i" + from).put("data", data))
        .compose(r -> publish(worker, from + 1));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aClientThatStopsReadingIsClosedAndAHealthyOneGetsEveryEventInOrder(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    // A small receive buffer keeps the kernel from hiding the stall for long.
    Future<TestSocket> slowConnected = TestSocket.connect(vertx, new WebSocketClientOptions().setReceiveBufferSize(8192),
            new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.streamSocketPort()).setURI("/"))
        .compose(s -> s.join("s", "big", "g", null).compose(v -> s.frame(0)).map(s));
    Future<TestSocket> healthyConnected = TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.join("h", "big", "g", null).compose(v -> s.frame(0)).map(s));
    Future.all(slowConnected, healthyConnected)
        .compose(both -> {
          TestSocket slow = both.resultAt(0);
          TestSocket healthy = both.resultAt(1);
          slow.webSocket().pause();
          return publish(worker, 0)
              .compose(v -> healthy.frames(1 + ITEMS))
              .compose(healthyFrames -> {
                testContext.verify(() -> {
                  for (int i = 1; i <= ITEMS; i++) {
                    JsonObject frame = healthyFrames.get(i);
                    assertEquals("i" + (i - 1), frame.getString("id"));
                    assertEquals(String.format("%05d", i - 1),
                        frame.getJsonObject("event").getString("data").substring(0, 5));
                  }
                });
                // Let the slow client read what reached it, and the close frame behind it.
                slow.webSocket().resume();
                return slow.closed().map(slow);
              });
        })
        .onComplete(testContext.succeeding(slow -> testContext.verify(() -> {
          assertEquals((short) 1008, slow.closeStatusCode());
          assertEquals("slow consumer", slow.closeReason());
          List<JsonObject> got = slow.received();
          assertTrue(got.size() < 1 + ITEMS, "the slow client was cut off, yet got " + got.size() + " frames");
          // What it did get is a gap-free prefix: the cut happens at the end, not in the middle.
          for (int i = 1; i < got.size(); i++) {
            assertEquals("i" + (i - 1), got.get(i).getString("id"));
          }
          testContext.completeNow();
        })));
  }
}
