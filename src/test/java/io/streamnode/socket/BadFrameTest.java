package io.streamnode.socket;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
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
 * What a client may get wrong (WIRE 1.2): a frame that is not one of the two commands is ignored
 * without a reply and the connection stays usable; binary frames holding JSON are commands too.
 * The limits are the exceptions: a frame over {@code limits.max_frame_bytes} closes that socket
 * (1009) and no other; a join past {@code max_subscriptions_per_connection} or with a name over
 * {@code max_name_bytes} is refused with the unauthorized wrapper.
 */
@ExtendWith(VertxExtension.class)
class BadFrameTest {

  private static final int MAX_FRAME_BYTES = 4096;

  private StreamNode node;
  private Worker worker;
  private TestSocket bystander;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    NodeOptions options = TestNodes.options();
    options.getLimits().setMaxFrameBytes(MAX_FRAME_BYTES).setMaxSubscriptionsPerConnection(2);
    worker = Worker.create(vertx);
    TestNodes.start(vertx, options)
        .compose(n -> {
          node = n;
          return TestSocket.connect(vertx, n.streamSocketPort());
        })
        .compose(s -> {
          bystander = s;
          return s.join("watch", "orders", "g1", null).compose(v -> s.frame(0));
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> set(String item, Object data) {
    return worker.call("stream::set", new JsonObject().put("stream_name", "orders").put("group_id", "g1")
        .put("item_id", item).put("data", data)).mapEmpty();
  }

  private static Future<Void> sendAll(TestSocket s, List<String> frames) {
    Future<Void> chain = Future.succeededFuture();
    for (String f : frames) {
      chain = chain.compose(v -> s.send(f));
    }
    return chain;
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void malformedFramesAreIgnoredSilentlyAndTheConnectionStaysUsable(Vertx vertx, VertxTestContext testContext) {
    List<String> junk = List.of(
        "{not json",
        "[1,2,3]",
        "\"a string\"",
        "42",
        "null",
        "true",
        "{}",
        "",
        "   \n\t ",
        "{\"type\":\"subscribe\",\"data\":{\"subscriptionId\":\"x\",\"streamName\":\"orders\",\"groupId\":\"g1\"}}",
        "{\"type\":\"JOIN\",\"data\":{\"subscriptionId\":\"x\",\"streamName\":\"orders\",\"groupId\":\"g1\"}}",
        "{\"type\":\"join\"}",
        "{\"type\":\"join\",\"data\":\"orders\"}",
        "{\"type\":\"join\",\"data\":{\"streamName\":\"orders\",\"groupId\":\"g1\"}}",
        "{\"type\":\"join\",\"data\":{\"subscriptionId\":\"x\",\"groupId\":\"g1\"}}",
        "{\"type\":\"join\",\"data\":{\"subscriptionId\":\"x\",\"streamName\":\"orders\"}}",
        "{\"type\":\"join\",\"data\":{\"subscriptionId\":7,\"streamName\":\"orders\",\"groupId\":\"g1\"}}",
        "{\"type\":\"join\",\"data\":{\"subscriptionId\":\"x\",\"streamName\":\"orders\",\"groupId\":\"g1\",\"id\":5}}",
        "{\"data\":{\"subscriptionId\":\"x\",\"streamName\":\"orders\",\"groupId\":\"g1\"}}",
        "{\"type\":\"leave\",\"data\":{}}",
        "{\"type\":\"leave\"}");
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> sendAll(s, junk)
            .compose(v -> s.join("ok", "orders", "g1", null))
            .compose(v -> s.frame(0))
            .compose(v -> set("after", 1))
            .compose(v -> Future.all(s.frames(2), bystander.frames(2))))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          List<JsonObject> mine = all.resultAt(0);
          List<JsonObject> theirs = all.resultAt(1);
          // Nothing came back for the junk: the first frame is the sync of the valid join.
          assertGolden(wrapper("orders", "g1", null, "{\"type\":\"sync\",\"data\":[]}"), mine.get(0));
          assertGolden(wrapper("orders", "g1", "after", "{\"type\":\"create\",\"data\":1}"), mine.get(1));
          assertGolden(wrapper("orders", "g1", "after", "{\"type\":\"create\",\"data\":1}"), theirs.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void binaryFramesHoldingJsonAreCommandsToo(Vertx vertx, VertxTestContext testContext) {
    set("i1", "v")
        .compose(v -> TestSocket.connect(vertx, node.streamSocketPort()))
        .compose(s -> s.webSocket().writeBinaryMessage(
                TestSocket.command("join", "bin", "orders", "g1", "i1").toBuffer())
            .compose(v -> s.frame(0)))
        .onComplete(testContext.succeeding(sync -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"sync\",\"data\":\"v\"}"), sync);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFrameOverMaxFrameBytesClosesThatSocketAndNoOther(Vertx vertx, VertxTestContext testContext) {
    String oversized = TestSocket.command("join", "x".repeat(MAX_FRAME_BYTES), "orders", "g1", null).encode();
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.send(oversized).compose(v -> s.closed()).map(v -> s))
        .onComplete(testContext.succeeding(s -> testContext.verify(() -> assertEquals(List.of(), s.received()))))
        .compose(s -> set("still", "flowing"))
        .compose(v -> bystander.frame(1))
        .onComplete(testContext.succeeding(frame -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "still", "{\"type\":\"create\",\"data\":\"flowing\"}"), frame);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFrameOverTwiceMaxFrameBytesIsDroppedWithoutBeingBuffered(Vertx vertx, VertxTestContext testContext) {
    // Past twice the limit Vert.x's decoder refuses the frame before buffering it and drops the
    // connection without a close frame (1006); the node and the other clients carry on.
    String huge = TestSocket.command("join", "x".repeat(3 * MAX_FRAME_BYTES), "orders", "g1", null).encode();
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.send(huge).compose(v -> s.closed()).map(v -> s))
        .onComplete(testContext.succeeding(s -> testContext.verify(() -> {
          assertEquals((short) 1006, s.closeStatusCode());
          assertEquals(List.of(), s.received());
        })))
        .compose(s -> set("after", "huge"))
        .compose(v -> bystander.frame(1))
        .onComplete(testContext.succeeding(frame -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "after", "{\"type\":\"create\",\"data\":\"huge\"}"), frame);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFrameOverMaxFrameBytesIsClosedWith1009(Vertx vertx, VertxTestContext testContext) {
    String oversized = TestSocket.command("join", "x".repeat(MAX_FRAME_BYTES), "orders", "g1", null).encode();
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.send(oversized).compose(v -> s.closed()).map(v -> s))
        .onComplete(testContext.succeeding(s -> testContext.verify(() -> {
          assertEquals((short) 1009, s.closeStatusCode());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aFragmentedMessageOverMaxFrameBytesClosesThatSocketWith1009(Vertx vertx, VertxTestContext testContext) {
    // Each fragment is under the limit; the message they make is not.
    String part = "x".repeat(MAX_FRAME_BYTES / 2);
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.webSocket().writeFrame(WebSocketFrame.textFrame("{\"type\":\"join\",\"pad\":\"" + part, false))
            .compose(v -> s.webSocket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), false)))
            .compose(v -> s.webSocket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part + "\"}"), true)))
            .compose(v -> s.closed()).map(v -> s))
        .onComplete(testContext.succeeding(s -> testContext.verify(() -> {
          assertEquals((short) 1009, s.closeStatusCode());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aJoinPastMaxSubscriptionsPerConnectionIsRefusedButReplacingOneIsNot(Vertx vertx, VertxTestContext testContext) {
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.join("a", "orders", "g1", null).compose(v -> s.frame(0))
            .compose(v -> s.join("b", "orders", "g2", null)).compose(v -> s.frame(1))
            .compose(v -> s.join("c", "orders", "g3", "i3")).compose(v -> s.frame(2))
            .compose(v -> s.join("a", "orders", "g4", null)).compose(v -> s.frame(3))
            .compose(v -> s.leave("b", "orders", "g2", null))
            .compose(v -> s.join("c", "orders", "g3", "i3"))
            .compose(v -> s.frames(5)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g3", "i3", "{\"type\":\"unauthorized\"}"), frames.get(2));
          assertGolden(wrapper("orders", "g4", null, "{\"type\":\"sync\",\"data\":[]}"), frames.get(3));
          assertGolden(wrapper("orders", "g3", "i3", "{\"type\":\"sync\",\"data\":null}"), frames.get(4));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aJoinWithANameOverMaxNameBytesIsRefused(Vertx vertx, VertxTestContext testContext) {
    // 100 characters but 300 UTF-8 bytes: over the default limit of 256 bytes.
    String euros = "\u20ac".repeat(100);
    String ascii = "a".repeat(257);
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.join("a", euros, "g1", null)
            .compose(v -> s.join("b", "orders", ascii, null))
            .compose(v -> s.join("c", "orders", "g1", euros))
            .compose(v -> s.frames(3)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper(euros, "g1", null, "{\"type\":\"unauthorized\"}"), frames.get(0));
          assertGolden(wrapper("orders", ascii, null, "{\"type\":\"unauthorized\"}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", euros, "{\"type\":\"unauthorized\"}"), frames.get(2));
          testContext.completeNow();
        })));
  }
}
