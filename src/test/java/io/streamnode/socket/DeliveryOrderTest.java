package io.streamnode.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Under concurrent writers every subscriber of a group sees the same sequence, in the order the
 * store applied the writes; a subscriber joining mid-load sees its sync and then exactly the
 * later events: no gap, no duplicate.
 */
@ExtendWith(VertxExtension.class)
class DeliveryOrderTest {

  private static final int WRITERS = 4;
  private static final int WRITES_EACH = 200;
  private static final int TOTAL = WRITERS * WRITES_EACH;

  private StreamNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNodes.start(vertx).onComplete(testContext.succeeding(n -> {
      node = n;
      testContext.completeNow();
    }));
  }

  /** One increment of the shared counter, tagged with the writer, so interleavings differ run to run. */
  private static JsonObject increment(int writer) {
    return new JsonObject().put("stream_name", "counters").put("group_id", "g").put("item_id", "c")
        .put("ops", new JsonArray()
            .add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1))
            .add(new JsonObject().put("type", "set").put("path", "by").put("value", "writer-" + writer)));
  }

  /** A writer on its own HTTP connection: {@code count} updates one after another; calls {@code onWrite} after each. */
  private static Future<Void> write(HttpFunctions http, int writer, int done, int count, Runnable onWrite) {
    if (done == count) {
      return Future.succeededFuture();
    }
    return http.call("stream::update", increment(writer)).compose(result -> {
      onWrite.run();
      return write(http, writer, done + 1, count, onWrite);
    });
  }

  private Future<Void> load(Vertx vertx, Runnable onWrite) {
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      writers.add(write(HttpFunctions.create(vertx, node.httpPort()), w, 0, WRITES_EACH, onWrite));
    }
    return Future.all(writers).mapEmpty();
  }

  private static int counter(JsonObject frame) {
    return frame.getJsonObject("event").getJsonObject("data").getInteger("n");
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void concurrentWritersAreSeenInTheSameOrderByEverySubscriber(Vertx vertx, VertxTestContext testContext) {
    List<TestSocket> subscribers = new ArrayList<>();
    Future<Void> joined = Future.succeededFuture();
    for (int i = 0; i < 3; i++) {
      joined = joined.compose(v -> TestSocket.connect(vertx, node.streamSocketPort()))
          .compose(s -> {
            subscribers.add(s);
            return s.join("sub", "counters", "g", null).compose(v -> s.frame(0)).mapEmpty();
          });
    }
    joined.compose(v -> load(vertx, () -> { }))
        .compose(v -> Future.all(subscribers.stream().map(s -> s.frames(1 + TOTAL)).toList()))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          List<List<JsonObject>> seen = all.list();
          List<JsonObject> first = seen.get(0);
          for (int i = 1; i <= TOTAL; i++) {
            JsonObject frame = first.get(i);
            assertEquals(i == 1 ? "create" : "update", frame.getJsonObject("event").getString("type"));
            assertEquals(i, counter(frame), "event " + i + " carries the counter value the store applied");
          }
          // The writer tags interleave differently every run: the three sequences of events (after
          // each one's own sync) must still be identical, frame for frame, timestamps included.
          List<JsonObject> events = first.subList(1, first.size());
          assertEquals(events, seen.get(1).subList(1, first.size()), "subscriber 2 saw another sequence");
          assertEquals(events, seen.get(2).subList(1, first.size()), "subscriber 3 saw another sequence");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aSubscriberJoiningMidLoadGetsItsSyncThenEveryLaterEventOnce(Vertx vertx, VertxTestContext testContext) {
    Promise<TestSocket> late = Promise.promise();
    int[] writes = {0};
    Future<Void> load = load(vertx, () -> {
      if (++writes[0] == TOTAL / 4) {
        // Join while the four writers keep going.
        TestSocket.connect(vertx, node.streamSocketPort())
            .compose(s -> s.join("late", "counters", "g", null).map(s))
            .onComplete(late);
      }
    });
    late.future()
        .compose(s -> s.frame(0).compose(sync -> {
          JsonArray values = sync.getJsonObject("event").getJsonArray("data");
          int base = values.isEmpty() ? 0 : values.getJsonObject(0).getInteger("n");
          return load.compose(v -> s.frames(1 + TOTAL - base));
        }))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          JsonObject sync = frames.get(0).getJsonObject("event");
          assertEquals("sync", sync.getString("type"));
          int base = sync.getJsonArray("data").getJsonObject(0).getInteger("n");
          assertTrue(base >= TOTAL / 4 && base < TOTAL, "the join happened mid-load, at " + base);
          for (int i = 1; i < frames.size(); i++) {
            assertEquals(base + i, counter(frames.get(i)), "frame " + i + " after a sync at " + base);
          }
          assertEquals(TOTAL, counter(frames.get(frames.size() - 1)));
          testContext.completeNow();
        })));
  }
}
