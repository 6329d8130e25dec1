package io.streamnode.socket;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
 * Every change reaches a group subscriber as iii's wrapper, byte for byte apart from the
 * timestamp: key names and order, {@code id} null for group-level sends, {@code event.event}
 * nesting for {@code stream::send}. Writes go through the HTTP API as an external client's would.
 */
@ExtendWith(VertxExtension.class)
class EventWrapperTest {

  private StreamNode node;
  private HttpFunctions http;
  private TestSocket socket;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNodes.start(vertx)
        .compose(n -> {
          node = n;
          http = HttpFunctions.create(vertx, n.httpPort());
          return TestSocket.connect(vertx, n.streamSocketPort());
        })
        .compose(s -> {
          socket = s;
          return s.join("sub-1", "orders", "g1", null).compose(v -> s.frame(0));
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private static JsonObject item(String item) {
    return new JsonObject().put("stream_name", "orders").put("group_id", "g1").put("item_id", item);
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void setCreatesThenUpdatesAndDeleteCarriesTheOldValue(VertxTestContext testContext) {
    http.call("stream::set", item("i1").put("data", new JsonObject().put("status", "open")))
        .compose(v -> http.call("stream::set", item("i1").put("data", new JsonObject().put("status", "closed"))))
        .compose(v -> http.call("stream::delete", item("i1")))
        .compose(v -> socket.frames(4))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"create\",\"data\":{\"status\":\"open\"}}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"update\",\"data\":{\"status\":\"closed\"}}"), frames.get(2));
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"delete\",\"data\":{\"status\":\"closed\"}}"), frames.get(3));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void setOfJsonNullAndScalarsIsSentAsIs(VertxTestContext testContext) {
    http.call("stream::set", item("n").put("data", (Object) null))
        .compose(v -> http.call("stream::set", item("s").put("data", "a \"quoted\" ü")))
        .compose(v -> http.call("stream::set", item("a").put("data", new JsonArray().add(1.5).add(true))))
        .compose(v -> socket.frames(4))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "n", "{\"type\":\"create\",\"data\":null}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "s", "{\"type\":\"create\",\"data\":\"a \\\"quoted\\\" ü\"}"), frames.get(2));
          assertGolden(wrapper("orders", "g1", "a", "{\"type\":\"create\",\"data\":[1.5,true]}"), frames.get(3));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void updateOfAMissingItemCreatesFromAnEmptyObjectThenUpdates(VertxTestContext testContext) {
    JsonArray increment = new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 5));
    http.call("stream::update", item("c").put("ops", increment))
        .compose(v -> http.call("stream::update", item("c").put("ops", increment)))
        .compose(v -> socket.frames(3))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "c", "{\"type\":\"create\",\"data\":{\"n\":5}}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "c", "{\"type\":\"update\",\"data\":{\"n\":10}}"), frames.get(2));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void sendWithoutIdIsAGroupEventWithNullIdAndNestedEvent(VertxTestContext testContext) {
    http.call("stream::send", new JsonObject().put("stream_name", "orders").put("group_id", "g1")
            .put("type", "typing").put("data", new JsonObject().put("user", "u1")))
        .onComplete(testContext.succeeding(result -> testContext.verify(() -> assertEquals(null, result))))
        .compose(v -> socket.frame(1))
        .onComplete(testContext.succeeding(frame -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", null,
              "{\"type\":\"event\",\"event\":{\"type\":\"typing\",\"data\":{\"user\":\"u1\"}}}"), frame);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void sendWithIdCarriesTheItemIdAndIsNotStored(Vertx vertx, VertxTestContext testContext) {
    http.call("stream::send", new JsonObject().put("stream_name", "orders").put("group_id", "g1")
            .put("id", "i9").put("type", "ping").put("data", 7))
        .compose(v -> socket.frame(1))
        .compose(frame -> {
          testContext.verify(() -> assertGolden(wrapper("orders", "g1", "i9",
              "{\"type\":\"event\",\"event\":{\"type\":\"ping\",\"data\":7}}"), frame));
          return Worker.create(vertx).call("stream::list", new JsonObject().put("stream_name", "orders").put("group_id", "g1"));
        })
        .onComplete(testContext.succeeding(list -> testContext.verify(() -> {
          assertEquals(new JsonArray(), list.value());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void deleteOfAMissingItemSendsNothing(VertxTestContext testContext) {
    // The delete must produce no frame: the next frame is the marker set after it.
    http.call("stream::delete", item("never-set"))
        .compose(v -> http.call("stream::set", item("marker").put("data", 1)))
        .compose(v -> socket.frames(2))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "marker", "{\"type\":\"create\",\"data\":1}"), frames.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void writesThroughTheJavaWorkerProduceTheSameWrappers(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    worker.call("stream::set", item("w").put("data", new JsonObject().put("k", "v")))
        .compose(v -> worker.call("stream::send", new JsonObject().put("stream_name", "orders").put("group_id", "g1")
            .put("type", "t").put("data", (Object) null)))
        .compose(v -> socket.frames(3))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          List<String> golden = List.of(
              wrapper("orders", "g1", "w", "{\"type\":\"create\",\"data\":{\"k\":\"v\"}}"),
              wrapper("orders", "g1", null, "{\"type\":\"event\",\"event\":{\"type\":\"t\",\"data\":null}}"));
          assertGolden(golden.get(0), frames.get(1));
          assertGolden(golden.get(1), frames.get(2));
          testContext.completeNow();
        })));
  }
}
