package io.streamnode.socket;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

/**
 * Fan-out per subscription (WIRE 1.7): an item subscription sees only its item, a connection gets
 * one copy per matching subscription, {@code leave} ends delivery and re-using a
 * {@code subscriptionId} replaces the earlier subscription. "Nothing arrived" is proven by a
 * marker write made afterwards being the very next frame: the marker is another item of the same
 * group, on the same connection, because only one group's events on one connection arrive in the
 * order they were made (another group's could overtake them).
 */
@ExtendWith(VertxExtension.class)
class ItemSubscriptionTest {

  private StreamNode node;
  private Worker worker;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNodes.start(vertx).onComplete(testContext.succeeding(n -> {
      node = n;
      worker = Worker.create(vertx);
      testContext.completeNow();
    }));
  }

  private Future<Void> set(String group, String item, Object data) {
    return worker.call("stream::set", new JsonObject().put("stream_name", "orders").put("group_id", group)
        .put("item_id", item).put("data", data)).mapEmpty();
  }

  private Future<Void> delete(String group, String item) {
    return worker.call("stream::delete", new JsonObject().put("stream_name", "orders").put("group_id", group)
        .put("item_id", item)).mapEmpty();
  }

  private Future<Void> send(String item, String type) {
    JsonObject input = new JsonObject().put("stream_name", "orders").put("group_id", "g1").put("type", type).put("data", 0);
    if (item != null) {
      input.put("id", item);
    }
    return worker.call("stream::send", input).mapEmpty();
  }

  private Future<TestSocket> connect(Vertx vertx) {
    return TestSocket.connect(vertx, node.streamSocketPort());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void itemSubscriptionReceivesOnlyItsOwnItemsChanges(Vertx vertx, VertxTestContext testContext) {
    connect(vertx)
        .compose(s -> s.join("sub-i1", "orders", "g1", "i1").compose(v -> s.frame(0))
            .compose(v -> set("g1", "i2", "x"))
            .compose(v -> set("g1", "i1", "a"))
            .compose(v -> delete("g1", "i2"))
            .compose(v -> set("g2", "i1", "other group"))
            .compose(v -> set("g1", "i1", "b"))
            .compose(v -> delete("g1", "i1"))
            .compose(v -> s.frames(4)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"create\",\"data\":\"a\"}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"update\",\"data\":\"b\"}"), frames.get(2));
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"delete\",\"data\":\"b\"}"), frames.get(3));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void itemSubscriptionDoesNotReceiveSendWithoutIdButReceivesSendWithItsId(Vertx vertx, VertxTestContext testContext) {
    connect(vertx)
        .compose(s -> s.join("sub-i1", "orders", "g1", "i1").compose(v -> s.frame(0))
            .compose(v -> send(null, "group-wide"))
            .compose(v -> send("i2", "for-i2"))
            .compose(v -> send("i1", "for-i1"))
            .compose(v -> s.frames(2)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"event\",\"event\":{\"type\":\"for-i1\",\"data\":0}}"),
              frames.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void groupAndItemSubscriptionOnOneConnectionGetTheSameFrameTwice(Vertx vertx, VertxTestContext testContext) {
    connect(vertx)
        .compose(s -> s.join("sub-g", "orders", "g1", null).compose(v -> s.frame(0))
            .compose(v -> s.join("sub-i", "orders", "g1", "i1")).compose(v -> s.frame(1))
            .compose(v -> set("g1", "i1", 1))
            .compose(v -> set("g1", "i2", 2))
            .compose(v -> send(null, "all"))
            .compose(v -> s.frames(6)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          String i1 = wrapper("orders", "g1", "i1", "{\"type\":\"create\",\"data\":1}");
          assertGolden(i1, frames.get(2));
          assertEquals(frames.get(2), frames.get(3), "identical frame, same timestamp, once per subscription");
          assertGolden(wrapper("orders", "g1", "i2", "{\"type\":\"create\",\"data\":2}"), frames.get(4));
          assertGolden(wrapper("orders", "g1", null, "{\"type\":\"event\",\"event\":{\"type\":\"all\",\"data\":0}}"),
              frames.get(5));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void leaveStopsDelivery(Vertx vertx, VertxTestContext testContext) {
    connect(vertx)
        .compose(s -> s.join("sub-g", "orders", "g1", null).compose(v -> s.frame(0))
            .compose(v -> s.join("sub-i", "orders", "g1", "i1")).compose(v -> s.frame(1))
            .compose(v -> s.leave("sub-g", "orders", "g1", null))
            .compose(v -> s.leave("sub-i", "orders", "g1", "i1"))
            .compose(v -> s.join("marker", "orders", "g1", "m")).compose(v -> s.frame(2))
            .compose(v -> set("g1", "i1", "after leave"))
            .compose(v -> set("g1", "m", "done"))
            .compose(v -> s.frames(4)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "m", "{\"type\":\"create\",\"data\":\"done\"}"), frames.get(3));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void leaveSentRightAfterJoinEndsTheSubscriptionAfterItsSync(Vertx vertx, VertxTestContext testContext) {
    // iii handles a connection's frames one at a time: the join completes (sync sent), then the leave.
    connect(vertx)
        .compose(s -> s.join("sub-i", "orders", "g1", "i1")
            .compose(v -> s.leave("sub-i", "orders", "g1", "i1"))
            .compose(v -> s.join("marker", "orders", "g1", "m"))
            .compose(v -> s.frames(2))
            .compose(v -> set("g1", "i1", "after leave"))
            .compose(v -> set("g1", "m", "done"))
            .compose(v -> s.frames(3)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i1", "{\"type\":\"sync\",\"data\":null}"), frames.get(0));
          assertGolden(wrapper("orders", "g1", "m", "{\"type\":\"sync\",\"data\":null}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "m", "{\"type\":\"create\",\"data\":\"done\"}"), frames.get(2));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void reusingASubscriptionIdReplacesTheEarlierSubscription(Vertx vertx, VertxTestContext testContext) {
    set("g1", "i2", "two")
        .compose(v -> connect(vertx))
        .compose(s -> s.join("sub-1", "orders", "g1", "i1").compose(v -> s.frame(0))
            .compose(v -> s.join("sub-1", "orders", "g1", "i2")).compose(v -> s.frame(1))
            .compose(v -> set("g1", "i1", "not for me any more"))
            .compose(v -> set("g1", "i2", "mine"))
            .compose(v -> s.frames(3))
            .compose(v -> s.leave("sub-1", "orders", "g1", "i2"))
            .compose(v -> s.join("marker", "orders", "g1", "m")).compose(v -> s.frame(3))
            .compose(v -> set("g1", "i2", "after leave"))
            .compose(v -> set("g1", "m", "done"))
            .compose(v -> s.frames(5)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", "i2", "{\"type\":\"sync\",\"data\":\"two\"}"), frames.get(1));
          assertGolden(wrapper("orders", "g1", "i2", "{\"type\":\"update\",\"data\":\"mine\"}"), frames.get(2));
          assertGolden(wrapper("orders", "g1", "m", "{\"type\":\"create\",\"data\":\"done\"}"), frames.get(4));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void leavingAnUnknownSubscriptionIsHarmless(Vertx vertx, VertxTestContext testContext) {
    connect(vertx)
        .compose(s -> s.leave("never-joined", "orders", "g1", null)
            .compose(v -> s.join("sub-1", "orders", "g1", null))
            .compose(v -> s.frames(1)))
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          assertGolden(wrapper("orders", "g1", null, "{\"type\":\"sync\",\"data\":[]}"), frames.get(0));
          testContext.completeNow();
        })));
  }
}
