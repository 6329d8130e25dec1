package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.store.StoreAddresses;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.StreamEvent;
import io.streamnode.testing.GroupView;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Bounded.await;
import static io.streamnode.testing.Bounded.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group positions on the stream socket (streamnode's extension; README "Positions and resuming"):
 * clients that ask get each frame's position and can resume from it; clients that never ask get
 * iii's frames byte for byte; a subscription whose events show a gap is brought up to date.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupPositionsTest {

  private StreamNode node;
  private Worker worker;

  private void start(Vertx vertx, NodeOptions options) {
    node = await(TestNodes.start(vertx, options), 20);
    worker = Worker.create(vertx);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      await(node.close(), 20);
    }
  }

  private void set(String group, String item, Object data) {
    await(worker.call("stream::set", new JsonObject().put("stream_name", "pos").put("group_id", group)
        .put("item_id", item).put("data", data)), 10);
  }

  private void send(String group, Object data) {
    await(worker.call("stream::send", new JsonObject().put("stream_name", "pos").put("group_id", group)
        .put("type", "note").put("data", data)), 10);
  }

  private TestSocket socket(Vertx vertx) {
    return await(TestSocket.connect(vertx, node.streamSocketPort()), 20);
  }

  private static JsonObject join(String sub, String group, String item, JsonObject extra) {
    JsonObject frame = TestSocket.command("join", sub, "pos", group, item);
    extra.forEach(e -> frame.getJsonObject("data").put(e.getKey(), e.getValue()));
    return frame;
  }

  private static JsonObject position(JsonObject frame) {
    return frame.getJsonObject("position");
  }

  @Test
  void aClientThatNeverAsksGetsIiisFramesWithNoPositionOrRecoveredField(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 1);
    TestSocket s = socket(vertx);
    await(s.join("s", "pos", "g", null), 20);
    await(s.frame(0), 20);
    set("g", "a", 2);
    send("g", "hi");
    List<JsonObject> frames = await(s.frames(3), 20);
    for (JsonObject f : frames) {
      assertEquals(List.of("type", "timestamp", "streamName", "groupId", "id", "event"), List.copyOf(f.fieldNames()),
          "iii's wrapper keys, in iii's order: " + f);
    }
    assertEquals(List.of("type", "data"), List.copyOf(frames.get(0).getJsonObject("event").fieldNames()));
    assertEquals(new JsonObject().put("type", "update").put("data", 2), frames.get(1).getJsonObject("event"));
  }

  @Test
  void aClientThatAsksForPositionsGetsThemOnTheSyncAndOnEveryEventOnePastTheOther(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 1);
    set("g", "b", 2);
    TestSocket s = socket(vertx);
    await(s.send(join("s", "g", null, new JsonObject().put("positions", true))), 20);
    JsonObject sync = await(s.frame(0), 20);
    assertEquals(2, position(sync).getLong("offset"));
    assertEquals(Boolean.FALSE, sync.getJsonObject("event").getValue("recovered"));
    assertEquals(new JsonArray().add(1).add(2), sync.getJsonObject("event").getValue("data"));
    set("g", "a", 3);
    send("g", "n");
    List<JsonObject> frames = await(s.frames(3), 20);
    String epoch = position(sync).getString("epoch");
    assertEquals(new JsonObject().put("epoch", epoch).put("offset", 3), position(frames.get(1)));
    assertEquals(new JsonObject().put("epoch", epoch).put("offset", 4), position(frames.get(2)));
  }

  @Test
  void aClientResumingWithSinceGetsExactlyTheEventsItMissedAndRecoveredTrue(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 0);
    TestSocket first = socket(vertx);
    await(first.send(join("s", "g", null, new JsonObject().put("positions", true))), 20);
    JsonObject last = position(await(first.frame(0), 20));
    await(first.close(), 20);
    for (int i = 1; i <= 100; i++) {
      if (i % 4 == 0) {
        send("g", i);
      } else {
        set("g", "i" + (i % 7), i);
      }
    }
    TestSocket again = socket(vertx);
    await(again.send(join("s", "g", null, new JsonObject().put("since", last))), 20);
    List<JsonObject> frames = await(again.frames(101), 20);
    JsonObject marker = frames.get(0).getJsonObject("event");
    assertEquals(new JsonObject().put("type", "sync").put("recovered", true), marker, "a recovered sync, no data");
    GroupView view = GroupView.of(frames, "pos", "g");
    assertEquals(List.of(), view.violations());
    List<Object> expected = new java.util.ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      expected.add(i);
    }
    assertEquals(expected, view.history(), "the 100 missed events, in order, once each");
    set("g", "live", 101);
    assertEquals(101, await(again.frame(101), 20).getJsonObject("event").getInteger("data"), "then live events");
    assertEquals(102, again.received().size());
  }

  @Test
  void anItemSubscriptionResumesWithThatItemsEventsOnly(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 0);
    TestSocket first = socket(vertx);
    await(first.send(join("s", "g", "a", new JsonObject().put("positions", true))), 20);
    JsonObject last = position(await(first.frame(0), 20));
    await(first.close(), 20);
    set("g", "b", 1);
    set("g", "a", 2);
    set("g", "b", 3);
    set("g", "a", 4);
    TestSocket again = socket(vertx);
    await(again.send(join("s", "g", "a", new JsonObject().put("since", last))), 20);
    List<JsonObject> frames = await(again.frames(3), 20);
    assertEquals(Boolean.TRUE, frames.get(0).getJsonObject("event").getValue("recovered"));
    assertEquals(2, frames.get(1).getJsonObject("event").getInteger("data"));
    assertEquals(4, frames.get(2).getJsonObject("event").getInteger("data"));
    assertEquals(5, position(frames.get(2)).getLong("offset"), "positions are the group's");
  }

  @Test
  void aResumeBeyondTheHistoryGetsAFullSyncWithRecoveredFalse(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getHistory().setSize(5);
    start(vertx, options);
    set("g", "a", 0);
    TestSocket first = socket(vertx);
    await(first.send(join("s", "g", null, new JsonObject().put("positions", true))), 20);
    JsonObject last = position(await(first.frame(0), 20));
    await(first.close(), 20);
    for (int i = 1; i <= 10; i++) {
      set("g", "a", i);
    }
    TestSocket again = socket(vertx);
    await(again.send(join("s", "g", null, new JsonObject().put("since", last))), 20);
    JsonObject sync = await(again.frame(0), 20);
    assertEquals(Boolean.FALSE, sync.getJsonObject("event").getValue("recovered"));
    assertEquals(new JsonArray().add(10), sync.getJsonObject("event").getValue("data"));
    assertEquals(11, position(sync).getLong("offset"));
  }

  @Test
  void aMalformedSinceNeverFailsTheJoinItOnlyMeansAFullSync(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 1);
    JsonObject current = await(vertx.eventBus().<JsonObject>request(StoreAddresses.POSITION,
        new JsonObject().put("stream_name", "pos").put("group_id", "g")), 5).body();
    List<Object> bad = List.of("yesterday", 7, new JsonObject(), new JsonObject().put("epoch", 3).put("offset", 1),
        new JsonObject().put("epoch", current.getString("epoch")).put("offset", -1),
        new JsonObject().put("epoch", current.getString("epoch")).put("offset", 1.5),
        new JsonObject().put("epoch", current.getString("epoch")).put("offset", 99),
        new JsonObject().put("epoch", "unknownepoch").put("offset", 1));
    TestSocket s = socket(vertx);
    for (int i = 0; i < bad.size(); i++) {
      await(s.send(join("s" + i, "g", null, new JsonObject().put("since", bad.get(i)))), 20);
    }
    List<JsonObject> frames = await(s.frames(bad.size()), 20);
    for (JsonObject f : frames) {
      assertEquals(new JsonObject().put("type", "sync").put("data", new JsonArray().add(1)).put("recovered", false),
          f.getJsonObject("event"), "for " + f);
    }
    set("g", "a", 2);
    await(s.frames(2 * bad.size()), 20); // every one of them is live
  }

  /** Loses the next {@code count} events of a group on their way to this node's gateways. */
  private static java.util.concurrent.atomic.AtomicInteger lose(Vertx vertx, String group, int count) {
    String address = StoreAddresses.group("pos", group);
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(count);
    vertx.eventBus().addInboundInterceptor(delivery -> {
      if (address.equals(delivery.message().address()) && left.getAndDecrement() > 0) {
        return;
      }
      delivery.next();
    });
    return left;
  }

  @Test
  void aSubscriptionWhoseLostEventsTheHistoryNoLongerHoldsGetsAFreshSyncNotSilence(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getHistory().setSize(2);
    start(vertx, options);
    set("g", "a", 1);
    TestSocket s = socket(vertx);
    await(s.join("s", "pos", "g", null), 20);
    await(s.frame(0), 20);
    java.util.concurrent.atomic.AtomicInteger lost = lose(vertx, "g", 3);
    set("g", "b", 2);
    set("g", "c", 3);
    set("g", "a", 4);
    until(20, () -> lost.get() <= 0, () -> "three events were lost");
    set("g", "d", 5);
    JsonObject resync = await(s.frame(1), 20);
    assertEquals(new JsonObject().put("type", "sync").put("data", new JsonArray().add(4).add(2).add(3).add(5)),
        resync.getJsonObject("event"), "a fresh sync of the current state, in iii's shape");
    set("g", "a", 6);
    assertEquals(new JsonObject().put("type", "update").put("data", 6), await(s.frame(2), 20).getJsonObject("event"));
    assertEquals(1, node.streamSocketResyncs(), "counted");
    assertEquals(3, s.received().size(), "nothing else: " + s.received());
  }

  @Test
  void anEventOfAnEpochTheGroupIsNotInIsNotDeliveredAndLiveEventsGoOn(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 1);
    TestSocket s = socket(vertx);
    await(s.join("s", "pos", "g", null), 20);
    await(s.frame(0), 20);
    StreamEvent stray = StreamEvent.change("pos", "g", "ghost", System.currentTimeMillis(), "create",
        Buffer.buffer("\"ghost\"")).at(new GroupPosition("anotherepoch", 1));
    vertx.eventBus().publish(StoreAddresses.group("pos", "g"), stray, StoreAddresses.EVENT_DELIVERY);
    set("g", "a", 2);
    assertEquals(new JsonObject().put("type", "update").put("data", 2), await(s.frame(1), 20).getJsonObject("event"));
    assertFalse(s.received().stream().anyMatch(f -> "ghost".equals(f.getString("id"))), "the stray event: " + s.received());
  }

  @Test
  void aGapTheHistoryStillHoldsIsFilledWithTheMissingEventsAlone(Vertx vertx) {
    start(vertx, TestNodes.options());
    set("g", "a", 1);
    TestSocket s = socket(vertx);
    await(s.send(join("s", "g", null, new JsonObject().put("positions", true))), 20);
    await(s.frame(0), 20);
    // The events of three writes are lost on the way to the gateway, then the gap shows.
    java.util.concurrent.atomic.AtomicInteger lost = lose(vertx, "g", 3);
    for (int i = 2; i <= 4; i++) {
      set("g", "a", i);
    }
    until(20, () -> lost.get() <= 0, () -> "three events were lost");
    set("g", "a", 5);
    List<JsonObject> frames = await(s.frames(5), 20);
    GroupView view = GroupView.of(frames, "pos", "g");
    assertEquals(List.of(), view.violations());
    assertEquals(List.of(2, 3, 4, 5), view.history(), "the missing events from history, then the live one");
    assertEquals(1, view.syncs(), "no second sync");
    until(20, () -> node.streamSocketRecoveries() == 1, () -> "recoveries " + node.streamSocketRecoveries());
    assertNull(frames.get(1).getJsonObject("event").getValue("recovered"));
    assertTrue(frames.stream().skip(1).allMatch(f -> f.getJsonObject("position") != null));
  }
}
