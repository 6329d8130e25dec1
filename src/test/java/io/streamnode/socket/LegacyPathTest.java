package io.streamnode.socket;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
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
 * The deprecated URL form (WIRE 1.1): {@code /stream/{stream}/{group}[/{item}]} subscribes at
 * connect time and sends the sync at once; any path other than that and {@code /} is a 404 on
 * the upgrade.
 */
@ExtendWith(VertxExtension.class)
class LegacyPathTest {

  private StreamNode node;
  private Worker worker;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    worker = Worker.create(vertx);
    TestNodes.start(vertx)
        .compose(n -> {
          node = n;
          return set("g1", "i1", "one").compose(v -> set("g1", "i2", "two"));
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> set(String group, String item, Object data) {
    return worker.call("stream::set", new JsonObject().put("stream_name", "orders").put("group_id", group)
        .put("item_id", item).put("data", data)).mapEmpty();
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aGroupPathSubscribesToTheGroupAndSyncsIt(Vertx vertx, VertxTestContext testContext) {
    TestSocket.connect(vertx, node.streamSocketPort(), "/stream/orders/g1")
        .compose(s -> s.frame(0).compose(v -> set("g1", "i3", "three")).compose(v -> s.frames(2)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", null, "{\"type\":\"sync\",\"data\":[\"one\",\"two\"]}"), frames.get(0));
          assertGolden(wrapper("orders", "g1", "i3", "{\"type\":\"create\",\"data\":\"three\"}"), frames.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void anItemPathSubscribesToTheItemOnly(Vertx vertx, VertxTestContext testContext) {
    TestSocket.connect(vertx, node.streamSocketPort(), "/stream/orders/g1/i2")
        .compose(s -> s.frame(0)
            .compose(v -> set("g1", "i1", "not mine"))
            .compose(v -> set("g1", "i2", "mine"))
            .compose(v -> s.frames(2)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i2", "{\"type\":\"sync\",\"data\":\"two\"}"), frames.get(0));
          assertGolden(wrapper("orders", "g1", "i2", "{\"type\":\"update\",\"data\":\"mine\"}"), frames.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void pathSegmentsArePercentDecoded(Vertx vertx, VertxTestContext testContext) {
    worker.call("stream::set", new JsonObject().put("stream_name", "my orders").put("group_id", "g/1")
            .put("item_id", "x").put("data", 1))
        .compose(v -> TestSocket.connect(vertx, node.streamSocketPort(), "/stream/my%20orders/g%2F1"))
        .compose(s -> s.frame(0))
        .onComplete(testContext.succeeding(sync -> testContext.verify(() -> {
          assertGolden(wrapper("my orders", "g/1", null, "{\"type\":\"sync\",\"data\":[1]}"), sync);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void anyOtherPathIsRejectedWith404(Vertx vertx, VertxTestContext testContext) {
    List<String> paths = List.of("/other", "/stream", "/stream/orders", "/stream/orders/g1/i1/extra",
        "/stream//g1", "/stream/orders/g1/", "/streams/orders/g1", "/ws");
    List<Future<Integer>> statuses = new ArrayList<>();
    for (String path : paths) {
      statuses.add(TestSocket.connect(vertx, node.streamSocketPort(), path).transform(ar -> {
        if (ar.succeeded()) {
          return Future.failedFuture(new AssertionError(path + " was accepted"));
        }
        return Future.succeededFuture(ar.cause() instanceof UpgradeRejectedException rejected ? rejected.getStatus() : -1);
      }));
    }
    Future.all(statuses).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      for (int i = 0; i < paths.size(); i++) {
        assertEquals(404, (int) all.<Integer>resultAt(i), paths.get(i));
      }
      testContext.completeNow();
    })));
  }
}
