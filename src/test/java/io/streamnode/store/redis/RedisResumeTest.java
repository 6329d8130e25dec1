package io.streamnode.store.redis;

import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.GroupView;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client of one node disconnects, events happen, and it comes back through the other node with
 * {@code since} (two nodes on a redis-server of the test's own, history.size 150): within the
 * Redis history it gets exactly the events it missed, {@code send}s included, after a {@code sync}
 * with {@code recovered: true}, even once the node it was on has stopped; beyond the history, or
 * after Redis rolled back, a full sync with {@code recovered: false}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class RedisResumeTest {

  private static final int HISTORY = 150;

  @TempDir
  Path dir;
  private RedisServerProcess redis;
  private final TwoRedisNodes nodes = new TwoRedisNodes();
  private Vertx vertx;
  private RedisClients clients;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    redis = RedisServerProcess.startIn(dir);
    Bounded.await(nodes.start(vertx, redis.url(), (name, options) ->
        options.setHistory(new HistoryOptions().setSize(HISTORY))), 30);
    clients = new RedisClients(vertx, nodes, TwoRedisNodes.uniqueStream("resume"));
  }

  @AfterEach
  void stop() throws Exception {
    Bounded.await(nodes.close(), 30);
    redis.kill();
  }

  /** {@code n} events through {@code http}: sets, updates, deletes and sends of a few items. */
  private void events(HttpFunctions http, int n) {
    for (int i = 0; i < n; i++) {
      switch (i % 5) {
        case 0, 1 -> clients.set(http, "item" + (i % 7), i);
        case 2 -> clients.send(http, "note " + i);
        case 3 -> clients.delete(http, "item" + ((i + 4) % 7));
        default -> clients.set(http, "item" + (i % 3), new JsonObject().put("n", i));
      }
    }
  }

  /** A client on node A that has seen a few events, then disconnects: where it left off. */
  private GroupPosition leftOff(HttpFunctions httpA) {
    TestSocket first = clients.subscriber(nodes.a);
    events(httpA, 10);
    Bounded.until(30, () -> clients.view(first).offset() == 10, () -> "10 events: " + first.received());
    GroupView seen = clients.view(first);
    Bounded.await(first.close(), 10);
    return new GroupPosition(seen.epoch(), seen.offset());
  }

  @Test
  void aClientResumingThroughAnotherNodeGetsExactlyTheHundredEventsItMissed() {
    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    HttpFunctions httpB = nodes.http(vertx, nodes.b);
    TestSocket witness = clients.subscriber(nodes.a); // stays connected: what the live frames were
    GroupPosition at = leftOff(httpA);
    events(httpB, 50);
    events(httpA, 50);
    Bounded.until(30, () -> clients.view(witness).offset() == 110, () -> "110 events: " + witness.received());
    List<JsonObject> live = witness.received().subList(11, 111);
    // The node the client was on stops (its clients first: a stopping node waits for open
    // connections): the history lives in Redis, not on it.
    Bounded.await(witness.close(), 10);
    Bounded.await(httpA.close(), 10);
    Bounded.await(nodes.a.close(), 30);
    nodes.a = null;

    TestSocket back = clients.resume(nodes.b, at);
    List<JsonObject> frames = Bounded.await(back.frames(101), 30);
    JsonObject sync = frames.get(0);
    assertEquals(new JsonObject().put("type", "sync").put("recovered", true), sync.getJsonObject("event"));
    assertEquals(at.toJson(), sync.getJsonObject("position"), "the sync says where the missed events start");
    assertEquals(live, frames.subList(1, 101), "exactly the 100 missed frames, as live subscribers got them");
    assertTrue(frames.stream().anyMatch(f -> "event".equals(f.getJsonObject("event").getString("type"))), "sends too");
    GroupView view = clients.view(back);
    assertEquals(List.of(), view.violations());
    assertEquals(at.offset() + 100, view.offset());

    clients.set(httpB, "after", "live");
    JsonObject next = Bounded.await(back.frame(101), 30);
    assertEquals(at.offset() + 101, next.getJsonObject("position").getLong("offset"), "then live events");
  }

  @Test
  void aClientThatMissedMoreThanTheHistoryGetsAFullSyncNotRecovered() {
    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    HttpFunctions httpB = nodes.http(vertx, nodes.b);
    GroupPosition at = leftOff(httpA);
    events(httpB, HISTORY + 1);
    TestSocket back = clients.resume(nodes.b, at);
    JsonObject sync = Bounded.await(back.frame(0), 30);
    assertEquals("sync", sync.getJsonObject("event").getString("type"));
    assertEquals(false, sync.getJsonObject("event").getValue("recovered"));
    assertEquals(at.offset() + HISTORY + 1, sync.getJsonObject("position").getLong("offset"));
    assertTrue(sync.getJsonObject("event").getValue("data") instanceof JsonArray, "the group's data");
    clients.set(httpB, "after", "live");
    JsonObject next = Bounded.await(back.frame(1), 30);
    assertEquals(at.offset() + HISTORY + 2, next.getJsonObject("position").getLong("offset"));
  }

  @Test
  void aClientResumingAfterRedisRolledBackGetsAFullSyncOfTheDataAsItIsNow() throws Exception {
    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    HttpFunctions httpB = nodes.http(vertx, nodes.b);
    TestSocket first = clients.subscriber(nodes.a);
    clients.set(httpA, "x", 1);
    RedisClients.command(vertx, redis.url(), "SAVE");
    clients.set(httpA, "x", 2);
    clients.set(httpA, "x", 3); // the client saw offset 3; Redis will come back at offset 1
    Bounded.until(30, () -> clients.view(first).offset() == 3, () -> "3 events: " + first.received());
    GroupView seen = clients.view(first);
    Bounded.await(first.close(), 10);
    redis.kill();
    redis.restart();
    clients.setOnceBack(httpB, "x", "b");
    clients.set(httpB, "x", "c"); // two writes: offset 3 again if Redis reused the old epoch

    TestSocket back = clients.resume(nodes.b, new GroupPosition(seen.epoch(), seen.offset()));
    JsonObject sync = Bounded.await(back.frame(0), 30).getJsonObject("event");
    assertEquals(false, sync.getValue("recovered"), "not a resume: " + back.received());
    assertEquals(new JsonArray().add("c"), sync.getValue("data"));
    assertFalse(seen.epoch().equals(clients.view(back).epoch()), "a new epoch");
  }
}
