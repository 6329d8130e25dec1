package io.streamnode.store.redis;

import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.LogLines;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis going away under two running nodes (a redis-server of the test's own, killed and
 * restarted on the same port): every stream function fails promptly with its error code and a
 * message naming Redis as unreachable, no event goes out, sockets stay open, and once Redis is
 * back both nodes write and deliver again without a restart.
 */
@ExtendWith(VertxExtension.class)
class RedisOutageTest {

  private RedisServerProcess redis;
  private final TwoRedisNodes nodes = new TwoRedisNodes();
  /** What the nodes log about Redis (both run in this JVM, so each message comes once per node). */
  private LogLines logged;

  /**
   * The outage test's command timeout: far above its "prompt failure" bound, so that the bound can
   * be generous (a loaded machine is slow) and a call that waited out the timeout still exceeds it.
   */
  private static final long OUTAGE_COMMAND_TIMEOUT_MS = 30_000;
  /** A call refused by a dead Redis answers within this (a call that waits out the command timeout takes 30 s). */
  private static final long PROMPT_MS = 10_000;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext test, TestInfo info) throws Exception {
    logged = LogLines.of(RedisStorage.class.getName());
    redis = RedisServerProcess.start();
    boolean outage = info.getTestMethod().orElseThrow().getName().startsWith("callsFailClearly");
    nodes.start(vertx, redis.url(), (name, options) -> {
      if (outage) {
        options.getAdapter().getConfig().put("command_timeout_ms", OUTAGE_COMMAND_TIMEOUT_MS);
      }
    }).onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext test) throws Exception {
    nodes.close().onComplete(test.succeedingThenComplete());
    test.awaitCompletion(30, TimeUnit.SECONDS);
    redis.kill();
    logged.close();
  }

  private static JsonObject names(String stream) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i");
  }

  /** Calls a function that must fail; completes with the failure's message and how long it took. */
  private static Future<String> failing(HttpFunctions http, String function, JsonObject input) {
    long start = System.nanoTime();
    return http.call(function, input).transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError(function + " succeeded with Redis down: " + ar.result()));
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      return Future.succeededFuture(ms + " ms: " + ar.cause().getMessage());
    });
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void callsFailClearlyWhileRedisIsDownAndEverythingRecoversAfterwards(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("outage");
    // A connection per failing call: each is timed alone, not behind the others on one connection.
    HttpFunctions httpA = nodes.http(vertx, nodes.a, 7);
    TestSocket[] subs = new TestSocket[2];
    nodes.subscriber(vertx, nodes.b, stream)
        .compose(s -> {
          subs[0] = s;
          return nodes.subscriber(vertx, nodes.a, stream);
        })
        .compose(s -> {
          subs[1] = s;
          return httpA.call("stream::set", names(stream).put("data", new JsonObject().put("n", 1)));
        })
        .compose(r -> Future.all(subs[0].frames(2), subs[1].frames(2)))
        .compose(r -> vertx.executeBlocking(() -> {
          redis.kill();
          return null;
        }))
        .compose(v -> Future.all(List.of(
            failing(httpA, "stream::set", names(stream).put("data", 2)),
            failing(httpA, "stream::get", names(stream)),
            failing(httpA, "stream::delete", names(stream)),
            failing(httpA, "stream::update", names(stream).put("ops", new JsonArray())),
            failing(httpA, "stream::list", names(stream)),
            failing(httpA, "stream::list_groups", new JsonObject().put("stream_name", stream)),
            failing(httpA, "stream::send", names(stream).put("type", "t").put("data", 1)))))
        .compose(all -> {
          List<String> messages = all.list();
          List<String> codes = List.of("STREAM_SET_ERROR", "STREAM_GET_ERROR", "STREAM_DELETE_ERROR",
              "STREAM_UPDATE_ERROR", "STREAM_GET_GROUP_ERROR", "STREAM_LIST_GROUPS_ERROR", "STREAM_SEND_ERROR");
          test.verify(() -> {
            for (int i = 0; i < codes.size(); i++) {
              String m = messages.get(i);
              assertTrue(m.contains(codes.get(i)) && m.contains("Redis is unreachable"), m);
              long ms = Long.parseLong(m.substring(0, m.indexOf(' ')));
              // A refused connection fails at once: a node that waited out the command timeout
              // (30 s here) on it would be over this bound.
              assertTrue(ms < PROMPT_MS, "prompt failure: " + m);
            }
            assertFalse(subs[0].closed().isComplete(), "sockets stay open");
            assertFalse(subs[1].closed().isComplete(), "sockets stay open");
            assertEquals(2, subs[0].received().size(), "no event went out for the failed calls (node B)");
            // Node A made the failed calls: an event emitted before the write failed would show here.
            assertEquals(2, subs[1].received().size(), "no event went out for the failed calls (node A, the writer)");
          });
          return vertx.executeBlocking(() -> {
            redis.restart();
            return null;
          });
        })
        // Redis restarted empty: write until node B's subscriber sees a write of node A, i.e. A's
        // command client and B's relay both reconnected; then every write reaches both nodes.
        .compose(v -> untilDelivered(vertx, httpA, stream, subs[0], 100))
        .compose(v -> httpA.call("stream::set", names(stream).put("data", new JsonObject().put("n", "after"))))
        .compose(v -> Future.all(until(subs[0], "after"), until(subs[1], "after")))
        // Recovery is logged when commands answer and the relay is subscribed again, on the store's context.
        .compose(v -> polled(vertx, () -> lines(" is back; ") >= 2).timeout(10, TimeUnit.SECONDS))
        .compose(v -> settle(vertx, 200)) // a second "back" or "lost" line would be here by now
        .onComplete(test.succeeding(v -> test.verify(() -> {
          // Dozens of calls failed in between: the loss too is logged once per node.
          assertEquals(2, lines("redis: lost "), "the loss is logged once per node: " + logged.messages());
          assertEquals(2, lines(" is back; "), "the recovery is logged once per node: " + logged.messages());
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aRedisThatStopsAnsweringFailsCallsWithinTheCommandTimeout(Vertx vertx, VertxTestContext test) {
    String stream = TwoRedisNodes.uniqueStream("frozen");
    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    httpA.call("stream::set", names(stream).put("data", 1))
        .compose(r -> vertx.executeBlocking(() -> {
          redis.freeze(true);
          return null;
        }))
        // One after another: the test's HTTP client has one connection, so each is timed alone.
        .compose(v -> failing(httpA, "stream::set", names(stream).put("data", 2))
            .compose(first -> failing(httpA, "stream::get", names(stream)).map(second -> List.of(first, second))))
        .compose(all -> {
          test.verify(() -> {
            for (String m : all) {
              long ms = Long.parseLong(m.substring(0, m.indexOf(' ')));
              assertTrue(m.contains("Redis is unreachable"), m);
              // Not before the command timeout (nothing refused the call), and bounded by it; the
              // upper bound is generous because a loaded machine is slow, not wrong.
              assertTrue(ms >= TwoRedisNodes.COMMAND_TIMEOUT_MS - 100
                  && ms < TwoRedisNodes.COMMAND_TIMEOUT_MS + 5000, "bounded by command_timeout_ms: " + m);
            }
          });
          return vertx.executeBlocking(() -> {
            redis.freeze(false);
            return null;
          });
        })
        .compose(v -> httpA.call("stream::get", names(stream)))
        .onComplete(test.succeeding(value -> test.verify(() -> {
          // The frozen set may or may not have been applied once Redis resumed: the caller was told it failed.
          assertTrue(Integer.valueOf(1).equals(value) || Integer.valueOf(2).equals(value), "value " + value);
          test.completeNow();
        })));
  }

  private static Future<Void> polled(Vertx vertx, java.util.function.BooleanSupplier condition) {
    Promise<Void> holds = Promise.promise();
    vertx.setPeriodic(1, 20, id -> { // not 0: Vert.x 5.0.10 cannot cancel a periodic timer from its first, immediate run
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        holds.tryComplete();
      }
    });
    return holds.future();
  }

  private static Future<Void> settle(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  private long lines(String text) {
    return logged.messages().stream().filter(l -> l.contains(text)).count();
  }

  /** Writes {@code n}, {@code n+1}, ... every 200 ms until the subscriber has seen one of them. */
  private static Future<Void> untilDelivered(Vertx vertx, HttpFunctions http, String stream, TestSocket sub, int n) {
    Promise<Void> seen = Promise.promise();
    int[] next = {n};
    long timer = vertx.setPeriodic(1, 200, id -> { // not 0: see polled()
      if (received(sub, null)) {
        vertx.cancelTimer(id);
        seen.tryComplete();
      } else {
        http.call("stream::set", names(stream).put("data", new JsonObject().put("n", next[0]++)));
      }
    });
    return seen.future();
  }

  private static Future<Void> until(TestSocket sub, Object n) {
    Promise<Void> seen = Promise.promise();
    Vertx.currentContext().owner().setPeriodic(50, id -> {
      if (received(sub, n)) {
        Vertx.currentContext().owner().cancelTimer(id);
        seen.tryComplete();
      }
    });
    return seen.future();
  }

  /** Whether a post-restart write ({@code n} a number >= 100, or the given value) reached the socket. */
  private static boolean received(TestSocket sub, Object n) {
    return sub.received().stream().map(f -> f.getJsonObject("event").getValue("data"))
        .filter(d -> d instanceof JsonObject).map(d -> ((JsonObject) d).getValue("n"))
        .anyMatch(v -> n == null ? v instanceof Integer i && i >= 100 : n.equals(v));
  }
}
