package io.streamnode.store.redis;

import io.streamnode.store.StreamStorage.Written;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.event.StreamEvent;
import io.streamnode.testing.Bounded;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redis adapter's group positions and history against a redis-server of the test's own (the
 * cases flush, restart and re-role it): offsets, the history a resume is served from and its
 * bounds, a new epoch whenever Redis lost or rolled back a group (FLUSHALL, a restart from an older
 * RDB, a former master promoted again), and the expiry of emptied groups' keys.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class RedisGroupPositionTest {

  private static final String S = "s";

  @TempDir
  Path dir;
  private final List<RedisServerProcess> servers = new ArrayList<>();
  private RedisServerProcess redis;
  private Vertx vertx;
  private Context context;
  private Redis admin;
  private RedisStorage storage;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    redis = server("a");
    admin = Redis.createClient(vertx, redis.url());
  }

  @AfterEach
  void stop() throws Exception {
    if (storage != null) {
      Bounded.await(on(() -> storage.close()).otherwiseEmpty(), 10);
    }
    Bounded.await(admin.close().otherwiseEmpty(), 10);
    for (RedisServerProcess s : servers) {
      s.kill();
    }
  }

  private RedisServerProcess server(String name) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    RedisServerProcess s = RedisServerProcess.startIn(d);
    servers.add(s);
    return s;
  }

  private void open(HistoryOptions history, RedisStorageOptions options) {
    storage = new RedisStorage(vertx, options.setRedisUrl(redis.url()).setChannel("streamnode::test::positions"), history);
    Bounded.await(on(() -> storage.open()), 10);
  }

  private void open(HistoryOptions history) {
    open(history, new RedisStorageOptions().setCommandTimeoutMs(10_000)); // a just-started redis-server on a loaded machine
  }

  /** Runs a storage call on the storage's context and waits for it, bounded. */
  private <T> T call(Supplier<Future<T>> action) {
    return Bounded.await(on(action), 10);
  }

  private <T> Future<T> on(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  /** Retries a storage call until it works: the pool's connections break when the server restarts or changes role. */
  private <T> T callOnceBack(Supplier<Future<T>> action) {
    Object[] result = new Object[1];
    Bounded.until(20, () -> {
      Future<T> f = on(action);
      try {
        result[0] = Bounded.await(f, 5);
        return true;
      } catch (AssertionError notYet) {
        return false;
      }
    }, () -> "the storage did not work again");
    @SuppressWarnings("unchecked")
    T t = (T) result[0];
    return t;
  }

  private Response command(Redis client, Object... args) {
    Request request = Request.cmd(Command.create(args[0].toString()));
    for (int i = 1; i < args.length; i++) {
      request.arg(args[i].toString());
    }
    return Bounded.await(client.send(request), 10);
  }

  private StreamEvent set(String group, String item, Object value) {
    return call(() -> storage.set(S, group, item, value,
        EventDraft.upsert(S, group, item, System.currentTimeMillis(), Json.encodeToBuffer(value)))).event();
  }

  private StreamEvent delete(String group, String item) {
    return call(() -> storage.delete(S, group, item, EventDraft.deletion(S, group, item, System.currentTimeMillis()))).event();
  }

  private StreamEvent send(String group, Object value) {
    return call(() -> storage.publish(EventDraft.custom(S, group, null, System.currentTimeMillis(), "t",
        Json.encodeToBuffer(value))));
  }

  /** {@code n} events on {@code group}: sets of item "x" and, every third, a send. */
  private List<StreamEvent> events(String group, int n) {
    List<StreamEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i % 3 == 2 ? send(group, i) : set(group, "x", i));
    }
    return out;
  }

  private GroupPosition position(String group) {
    return call(() -> storage.position(S, group));
  }

  private List<StreamEvent> since(String group, GroupPosition from) {
    return call(() -> storage.since(S, group, from));
  }

  private static List<Long> offsets(List<StreamEvent> events) {
    return events.stream().map(StreamEvent::offset).toList();
  }

  @Test
  void everyEventIncludingSendsAndCompareAndSetUpdatesTakesTheNextOffset() {
    open(new HistoryOptions());
    List<StreamEvent> events = new ArrayList<>(events("g", 7));
    Written replaced = call(() -> storage.read(S, "g", "x").compose(read -> storage.replace(S, "g", "x", read, "new",
        EventDraft.upsert(S, "g", "x", System.currentTimeMillis(), Json.encodeToBuffer("new")))));
    events.add(replaced.event());
    events.add(delete("g", "x"));
    String epoch = events.get(0).epoch();
    for (int i = 0; i < events.size(); i++) {
      assertEquals(new GroupPosition(epoch, i + 1), events.get(i).position(), "event " + i);
    }
    var snapshot = call(() -> storage.snapshot(S, "g", null));
    assertEquals(new GroupPosition(epoch, 9), snapshot.position(), "the snapshot is at the last event");
    assertEquals(new JsonArray(), snapshot.data());
    assertEquals(new GroupPosition(epoch, 9), position("g"));
  }

  @Test
  void sinceGivesExactlyTheEventsAfterAPositionAndNullWhenTheHistoryCannot() {
    open(new HistoryOptions().setSize(10));
    List<StreamEvent> events = events("g", 250);
    String epoch = events.get(0).epoch();
    GroupPosition at240 = new GroupPosition(epoch, 240);

    List<StreamEvent> missed = since("g", at240);
    assertEquals(offsets(events.subList(240, 250)), offsets(missed));
    for (int i = 0; i < missed.size(); i++) {
      StreamEvent expected = events.get(240 + i);
      assertEquals(expected.frame(), missed.get(i).frame(), "frame of " + expected);
      assertEquals(expected.id(), missed.get(i).id(), "item of " + expected);
      assertEquals(expected.position(), missed.get(i).position());
    }
    assertEquals(List.of(), since("g", new GroupPosition(epoch, 250)), "nothing missed");
    assertNull(since("g", new GroupPosition(epoch, 239)), "11 missed, history.size is 10");
    assertNull(since("g", new GroupPosition(epoch, 251)), "an offset beyond the group's");
    assertNull(since("g", new GroupPosition("otherepoch00", 240)), "another epoch");
    long kept = command(admin, "XLEN", RedisStorage.keys(S, "g").get(2)).toLong();
    assertTrue(kept >= 10 && kept < 250, "the history stream is trimmed (MAXLEN ~ 10): " + kept);

    // MAXLEN ~ trims whole stream nodes only, so a short stream still holds more than history.size
    // entries: a resume never gets more than history.size events all the same (as with every adapter).
    List<StreamEvent> few = events("h", 15);
    assertEquals(15, command(admin, "XLEN", RedisStorage.keys(S, "h").get(2)).toLong(), "not trimmed yet");
    assertNull(since("h", few.get(3).position()), "11 missed, history.size is 10");
    assertEquals(offsets(few.subList(5, 15)), offsets(since("h", few.get(4).position())));
  }

  @Test
  void eventsOlderThanTheHistoryTtlAreNotServed() throws Exception {
    // 4 s TTL, events 2.2 s apart: the fresh event is checked when about 2 s old, so a stall of
    // the machine up to 2 s cannot age it past the TTL (a 2 s TTL left 1 s of margin).
    open(new HistoryOptions().setTtlMs(4000));
    List<StreamEvent> events = events("g", 2);
    GroupPosition at1 = events.get(0).position();
    assertEquals(1, since("g", at1).size());
    Thread.sleep(2200);
    // A newer event keeps the history stream alive (its PEXPIRE is refreshed), so the old entries
    // are still there: only their age keeps them from being served.
    StreamEvent fresh = set("g", "x", "fresh");
    Thread.sleep(2000);
    assertNull(since("g", at1), "event 2 is older than history.ttl_ms");
    assertEquals(List.of(fresh.offset()), offsets(since("g", events.get(1).position())), "event 3 is not");
    Bounded.until(30, () -> command(admin, "EXISTS", RedisStorage.keys(S, "g").get(2)).toInteger() == 0,
        () -> "the stream is gone history.ttl_ms after its last entry");
    assertEquals(List.of(), since("g", fresh.position()), "a client that missed nothing still resumes");
  }

  @Test
  void withHistoryOffNoStreamIsWrittenAndOnlyAResumeThatMissedNothingSucceeds() {
    open(new HistoryOptions().setSize(0));
    List<StreamEvent> events = events("g", 5);
    assertEquals(0, command(admin, "EXISTS", RedisStorage.keys(S, "g").get(2)).toInteger());
    assertEquals(List.of(), since("g", events.get(4).position()));
    assertNull(since("g", events.get(3).position()));
  }

  @Test
  void aFlushallStartsANewEpochAtOffsetOne() {
    open(new HistoryOptions());
    List<StreamEvent> before = events("g", 4);
    command(admin, "FLUSHALL");
    assertEquals(GroupPosition.NONE, position("g"), "the group is gone");
    StreamEvent after = set("g", "x", "after");
    assertNotEquals(before.get(0).epoch(), after.epoch());
    assertEquals(1, after.offset());
    assertNull(since("g", before.get(3).position()), "the old epoch cannot be resumed");
  }

  @Test
  void aRestartFromAnOlderRdbStartsANewEpochAndNeverReusesAnOffset() throws Exception {
    open(new HistoryOptions());
    List<StreamEvent> saved = events("g", 3);
    command(admin, "SAVE");
    List<StreamEvent> lost = events("g", 2); // offsets 4 and 5: not in the RDB
    redis.kill();
    redis.restart();
    GroupPosition now = callOnceBack(() -> storage.position(S, "g"));
    String epoch = saved.get(0).epoch();
    assertNotEquals(epoch, now.epoch(), "the rolled back group (at " + epoch + "/3) starts a new epoch");
    assertEquals(0, now.offset());
    StreamEvent next = set("g", "x", "next");
    assertEquals(new GroupPosition(now.epoch(), 1), next.position());
    assertNull(since("g", lost.get(1).position()), "a client at " + epoch + "/5 gets a full sync");
    assertNull(since("g", saved.get(2).position()), "so does one at " + epoch + "/3");
  }

  @Test
  void aWriteAfterARestartStartsTheNewEpochItselfWithoutAPositionReadFirst() throws Exception {
    open(new HistoryOptions());
    List<StreamEvent> saved = events("g", 3);
    command(admin, "SAVE");
    redis.kill();
    redis.restart();
    StreamEvent next = callOnceBack(() -> storage.publish(EventDraft.custom(S, "g", null, System.currentTimeMillis(),
        "t", Json.encodeToBuffer("next"))));
    assertNotEquals(saved.get(0).epoch(), next.epoch());
    assertEquals(1, next.offset());
  }

  @Test
  void aFormerMasterPromotedAgainAfterLosingWritesStartsANewEpoch() throws Exception {
    open(new HistoryOptions());
    RedisServerProcess replica = server("b");
    Redis b = Redis.createClient(vertx, replica.url());
    try {
      List<StreamEvent> replicated = events("g", 3);
      String posKey = RedisStorage.keys(S, "g").get(1);
      command(b, "REPLICAOF", "127.0.0.1", redis.port);
      Bounded.until(20, () -> "3".equals(String.valueOf(command(b, "HGET", posKey, "offset"))), () -> "B replicated A");
      // Failover to B; A, cut off, still takes two writes that B never gets.
      command(b, "REPLICAOF", "NO", "ONE");
      events("g", 2);
      // A rejoins as B's replica (its data replaced by B's: offset 3 again), then is promoted back.
      command(admin, "REPLICAOF", "127.0.0.1", replica.port);
      Bounded.until(20, () -> "3".equals(String.valueOf(command(admin, "HGET", posKey, "offset"))),
          () -> "A resynced from B");
      command(admin, "REPLICAOF", "NO", "ONE");
      StreamEvent next = callOnceBack(() -> storage.set(S, "g", "x", "next",
          EventDraft.upsert(S, "g", "x", System.currentTimeMillis(), Json.encodeToBuffer("next")))).event();
      assertNotEquals(replicated.get(0).epoch(), next.epoch(), "offset 4 of the old epoch was taken by a lost write");
      assertEquals(1, next.offset());
    } finally {
      Bounded.await(b.close().otherwiseEmpty(), 10);
    }
  }

  @Test
  void anEmptiedGroupKeepsItsPositionAndHistoryOnlyForTheirTtl() throws Exception {
    // TTLs of seconds, not one: each step below must run before a key expires, even on a machine
    // that stalls for a moment.
    open(new HistoryOptions().setTtlMs(6000), new RedisStorageOptions().setEmptiedGroupTtlMs(4000));
    List<String> keys = RedisStorage.keys(S, "g");
    set("g", "x", 1);
    assertEquals(-1, command(admin, "PTTL", keys.get(1)).toLong(), "a group with items keeps its position");
    StreamEvent deleted = delete("g", "x");
    long ttl = command(admin, "PTTL", keys.get(1)).toLong();
    assertTrue(ttl > 0 && ttl <= 6000, "emptied: the position expires after max(emptied, history TTL): " + ttl);
    set("g", "y", 2);
    assertEquals(-1, command(admin, "PTTL", keys.get(1)).toLong(), "items again: PERSIST");
    ttl = command(admin, "PTTL", keys.get(2)).toLong();
    assertTrue(ttl > 0 && ttl <= 6000, "the history expires after its TTL: " + ttl);
    StreamEvent last = delete("g", "y");

    List<String> sendOnly = RedisStorage.keys(S, "sends");
    StreamEvent first = send("sends", 1);
    assertEquals(2, send("sends", 2).offset());
    ttl = command(admin, "PTTL", sendOnly.get(1)).toLong();
    assertTrue(ttl > 0 && ttl <= 6000, "a group that only got sends expires too: " + ttl);

    Bounded.until(30, () -> command(admin, "EXISTS", keys.get(1), keys.get(2), sendOnly.get(1), sendOnly.get(2))
        .toInteger() == 0, () -> "the keys of both groups expire");
    assertEquals(GroupPosition.NONE, position("g"));
    assertNull(since("g", last.position()));
    assertNotEquals(first.epoch(), send("sends", 3).epoch(), "written again later: a new epoch");
    assertEquals(deleted.epoch(), last.epoch());
  }
}
