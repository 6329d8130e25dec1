package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Two standalone nodes sharing the real Redis on 6379: a write made through either node reaches
 * the socket subscribers of both, and concurrent writers on both nodes are seen in one identical
 * order by every subscriber on every node.
 */
@ExtendWith(VertxExtension.class)
class RedisFanOutTest {

  private static final String URL = "redis://127.0.0.1:6379";

  private final TwoRedisNodes nodes = new TwoRedisNodes();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext test) {
    nodes.start(vertx, URL).onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext test) {
    nodes.close().onComplete(test.succeedingThenComplete());
  }

  private static JsonObject set(String stream, String item, Object data) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", item).put("data", data);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aWriteThroughOneNodeReachesSubscribersOnBoth(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("fanout");
    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    HttpFunctions httpB = nodes.http(vertx, nodes.b);
    List<TestSocket> subs = new ArrayList<>();
    nodes.subscriber(vertx, nodes.b, stream)
        .compose(s -> {
          subs.add(s);
          return nodes.subscriber(vertx, nodes.a, stream);
        })
        .compose(s -> {
          subs.add(s);
          return httpA.call("stream::set", set(stream, "i", new JsonObject().put("n", 1)));
        })
        .compose(r -> httpB.call("stream::set", set(stream, "i", new JsonObject().put("n", 2))))
        .compose(r -> httpB.call("stream::delete", new JsonObject().put("stream_name", stream).put("group_id", "g")
            .put("item_id", "i")))
        .compose(r -> httpA.call("stream::send", new JsonObject().put("stream_name", stream).put("group_id", "g")
            .put("type", "ping").put("data", "x")))
        .compose(r -> Future.all(subs.get(0).frames(5), subs.get(1).frames(5)))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<JsonObject> onB = all.resultAt(0);
          List<JsonObject> onA = all.resultAt(1);
          assertEquals(onB.subList(1, 5), onA.subList(1, 5), "both nodes deliver the same frames");
          assertEquals(new JsonObject().put("type", "create").put("data", new JsonObject().put("n", 1)),
              onB.get(1).getJsonObject("event"));
          assertEquals(new JsonObject().put("type", "update").put("data", new JsonObject().put("n", 2)),
              onB.get(2).getJsonObject("event"));
          assertEquals(new JsonObject().put("type", "delete").put("data", new JsonObject().put("n", 2)),
              onB.get(3).getJsonObject("event"), "the delete event embeds the removed value");
          assertEquals(new JsonObject().put("type", "event")
                  .put("event", new JsonObject().put("type", "ping").put("data", "x")),
              onB.get(4).getJsonObject("event"));
          JsonObject wrapper = onB.get(1);
          assertEquals("stream", wrapper.getString("type"));
          assertEquals(stream, wrapper.getString("streamName"));
          assertEquals("g", wrapper.getString("groupId"));
          assertEquals("i", wrapper.getString("id"));
          assertNull(onB.get(4).getValue("id"));
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void concurrentWritersOnBothNodesAreSeenInOneOrderEverywhere(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("order");
    int writersPerNode = 3;
    int writesEach = 150;
    int total = 2 * writersPerNode * writesEach;
    List<TestSocket> subs = new ArrayList<>();
    Future<Void> joined = Future.succeededFuture();
    for (StreamNode node : List.of(nodes.a, nodes.b)) {
      for (int i = 0; i < 2; i++) {
        joined = joined.compose(v -> nodes.subscriber(vertx, node, stream)).map(s -> {
          subs.add(s);
          return null;
        });
      }
    }
    joined.compose(v -> {
          List<Future<Void>> writers = new ArrayList<>();
          for (StreamNode node : List.of(nodes.a, nodes.b)) {
            for (int w = 0; w < writersPerNode; w++) {
              writers.add(write(nodes.http(vertx, node), stream, node.httpPort() + "-" + w, 0, writesEach));
            }
          }
          return Future.all(writers);
        })
        .compose(v -> Future.all(subs.stream().map(s -> s.frames(1 + total)).toList()))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<List<JsonObject>> seen = all.list();
          List<JsonObject> events = seen.get(0).subList(1, 1 + total);
          Set<String> distinct = new HashSet<>();
          events.forEach(e -> {
            JsonObject event = e.getJsonObject("event");
            JsonObject data = "event".equals(event.getString("type"))
                ? event.getJsonObject("event").getJsonObject("data") : event.getJsonObject("data");
            distinct.add(data.getString("w") + "#" + data.getInteger("i"));
          });
          assertEquals(total, distinct.size(), "every write delivered exactly once");
          for (int s = 1; s < seen.size(); s++) {
            assertEquals(events, seen.get(s).subList(1, 1 + total), "subscriber " + s + " saw another sequence");
          }
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aJoinOnOneNodeDuringWritesOnTheOtherGetsItsSyncThenEveryLaterEventOnce(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("midload");
    int writers = 3;
    // The join starts once `before` writes are acknowledged, and the writers go on until `after`
    // more are acknowledged once the late subscriber has its sync: the join always falls mid-load,
    // however slow the join is (a fixed number of writes could all be done before a slow join).
    int before = 100;
    int after = 100;
    Promise<TestSocket> late = Promise.promise();
    AtomicInteger done = new AtomicInteger(); // the writers' callbacks run on several event loops
    AtomicInteger stopAt = new AtomicInteger(Integer.MAX_VALUE);
    late.future().onSuccess(s -> stopAt.set(done.get() + after));
    List<Future<Void>> load = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      load.add(increments(nodes.http(vertx, nodes.a), stream, () -> done.get() < Math.min(stopAt.get(), 10_000), () -> {
        if (done.incrementAndGet() == before) {
          nodes.subscriber(vertx, nodes.b, stream).onComplete(late);
        }
      }));
    }
    Future.all(load).compose(v -> late.future())
        .compose(s -> s.frame(0).compose(sync -> {
          int total = done.get(); // every write acknowledged: the item's final n
          JsonArray items = sync.getJsonObject("event").getJsonArray("data");
          int base = items.isEmpty() ? 0 : items.getJsonObject(0).getInteger("n");
          return s.frames(1 + total - base).map(frames -> {
            test.verify(() -> {
              // The join must have raced the writes: some before the sync, some after it.
              assertTrue(base >= before && base < total, "the join happened mid-load, at " + base + " of " + total);
              for (int i = 1; i < frames.size(); i++) {
                assertEquals(base + i, frames.get(i).getJsonObject("event").getJsonObject("data").getInteger("n"),
                    "after a sync at " + base + ", event " + i);
              }
            });
            return s;
          });
        }))
        .compose(s -> vertx.timer(300).map(s))
        .onComplete(test.succeeding(s -> test.verify(() -> {
          JsonArray items = s.received().get(0).getJsonObject("event").getJsonArray("data");
          int base = items.isEmpty() ? 0 : items.getJsonObject(0).getInteger("n");
          assertEquals(1 + done.get() - base, s.received().size(), "no duplicate after the last event");
          test.completeNow();
        })));
  }

  /** Increments item c's n, one call after another, while {@code more} holds. */
  private static Future<Void> increments(HttpFunctions http, String stream, BooleanSupplier more, Runnable onWrite) {
    if (!more.getAsBoolean()) {
      return Future.succeededFuture();
    }
    JsonObject input = new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "c")
        .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1)));
    return http.call("stream::update", input).compose(r -> {
      onWrite.run();
      return increments(http, stream, more, onWrite);
    });
  }

  /** One writer: sets of one shared item (and, every 5th write, a send), one after another. */
  private static Future<Void> write(HttpFunctions http, String stream, String writer, int done, int count) {
    if (done == count) {
      return Future.succeededFuture();
    }
    JsonObject data = new JsonObject().put("w", writer).put("i", done);
    Future<Object> call = done % 5 == 4
        ? http.call("stream::send", new JsonObject().put("stream_name", stream).put("group_id", "g")
            .put("type", "tick").put("data", data))
        : http.call("stream::set", set(stream, done % 2 == 0 ? "shared" : writer, data));
    return call.compose(r -> write(http, stream, writer, done + 1, count));
  }
}
