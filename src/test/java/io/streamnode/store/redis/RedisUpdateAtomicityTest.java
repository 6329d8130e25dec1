package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code stream::update} stays atomic across nodes sharing Redis: concurrent increments of one
 * counter through both nodes lose none, and every subscriber sees the counter go 1, 2, ... N.
 */
@ExtendWith(VertxExtension.class)
class RedisUpdateAtomicityTest {

  private static final int WRITERS_PER_NODE = 4;
  private static final int INCREMENTS_EACH = 50;
  private static final int TOTAL = 2 * WRITERS_PER_NODE * INCREMENTS_EACH;

  private final TwoRedisNodes nodes = new TwoRedisNodes();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext test) {
    nodes.start(vertx, "redis://127.0.0.1:6379").onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext test) {
    nodes.close().onComplete(test.succeedingThenComplete());
  }

  private static Future<Void> increment(HttpFunctions http, String stream, int left) {
    if (left == 0) {
      return Future.succeededFuture();
    }
    JsonObject input = new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "counter")
        .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1)));
    return http.call("stream::update", input).compose(r -> increment(http, stream, left - 1));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void concurrentIncrementsThroughBothNodesLoseNone(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("counter");
    List<TestSocket> subs = new ArrayList<>();
    nodes.subscriber(vertx, nodes.a, stream)
        .compose(s -> {
          subs.add(s);
          return nodes.subscriber(vertx, nodes.b, stream);
        })
        .compose(s -> {
          subs.add(s);
          List<Future<Void>> writers = new ArrayList<>();
          for (StreamNode node : List.of(nodes.a, nodes.b)) {
            for (int w = 0; w < WRITERS_PER_NODE; w++) {
              writers.add(increment(nodes.http(vertx, node), stream, INCREMENTS_EACH));
            }
          }
          return Future.all(writers);
        })
        .compose(v -> nodes.http(vertx, nodes.b).call("stream::get", new JsonObject().put("stream_name", stream)
            .put("group_id", "g").put("item_id", "counter")))
        .compose(value -> {
          test.verify(() -> assertEquals(new JsonObject().put("n", TOTAL), value, "no increment lost"));
          return Future.all(subs.get(0).frames(1 + TOTAL), subs.get(1).frames(1 + TOTAL));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          for (int s = 0; s < 2; s++) {
            List<JsonObject> frames = all.resultAt(s);
            for (int i = 1; i <= TOTAL; i++) {
              JsonObject event = frames.get(i).getJsonObject("event");
              assertEquals(i == 1 ? "create" : "update", event.getString("type"));
              assertEquals(i, event.getJsonObject("data").getInteger("n"), "subscriber " + s + ", event " + i);
            }
          }
          test.completeNow();
        })));
  }
}
