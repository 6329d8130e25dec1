package io.streamnode.cluster;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.MapStream;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three cluster members in one JVM: every write is seen through every node, in one order per
 * group; triggers fire once cluster-wide; functions registered on one node are callable from all.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ClusterTest {

  private static ThreeMembers cluster;
  // Held for the whole class: Vert.x closes an HTTP client once nothing references it.
  private static final List<HttpFunctions> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster(VertxTestContext ctx) {
    ThreeMembers.start(3).onComplete(ctx.succeeding(c -> {
      cluster = c;
      for (int i = 0; i < 3; i++) {
        clients.add(HttpFunctions.create(c.members.get(i).vertx(), c.node(i).httpPort(), 4));
      }
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stopCluster(VertxTestContext ctx) {
    if (cluster == null) {
      ctx.completeNow();
      return;
    }
    cluster.stop().onComplete(ctx.succeedingThenComplete());
  }

  /** The HTTP API client of one node (4 connections). */
  private static HttpFunctions http(int node) {
    return clients.get(node);
  }

  private static Future<TestSocket> subscribe(Vertx vertx, int node, String stream, String group) {
    return TestSocket.connect(vertx, cluster.node(node).streamSocketPort())
        .compose(s -> s.join("sub", stream, group, null).compose(v -> s.frame(0)).map(sync -> s));
  }

  private static JsonObject set(String stream, String group, String item, Object data) {
    return new JsonObject().put("stream_name", stream).put("group_id", group).put("item_id", item).put("data", data);
  }

  /** Completes when {@code condition} holds, checked every 20 ms; fails with {@code what} after 30 s (a loaded machine is slow). */
  private static Future<Void> until(Vertx vertx, String what, java.util.function.BooleanSupplier condition) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + 30_000;
    vertx.setPeriodic(20, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        p.tryFail(new AssertionError("not within 30 s: " + what));
      }
    });
    return p.future();
  }

  /**
   * Completes once every member's copy of a replicated map satisfies {@code holds}: registrations
   * reach the other members asynchronously (within ms, normally), and a poll with a generous bound
   * replaces a fixed wait that a slow machine could outlast.
   */
  private static Future<Void> replicated(Vertx vertx, String map, java.util.function.Predicate<Map<Object, Object>> holds) {
    return until(vertx, map + " replicated to every member", () -> cluster.members.stream()
        .allMatch(m -> holds.test(Map.copyOf(m.hazelcast().getReplicatedMap(map)))));
  }

  private static Future<Void> settle(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  @Test
  void aSubscriberOnOneNodeReceivesAWriteMadeThroughAnother(Vertx vertx, VertxTestContext ctx) {
    subscribe(vertx, 1, "c-basic", "g")
        .compose(sub -> http(0).call("stream::set", set("c-basic", "g", "i1", new JsonObject().put("v", 1)))
            .compose(r -> sub.frame(1)))
        .onComplete(ctx.succeeding(frame -> ctx.verify(() -> {
          assertEquals("c-basic", frame.getString("streamName"));
          assertEquals("i1", frame.getString("id"));
          assertEquals(new JsonObject("{\"type\":\"create\",\"data\":{\"v\":1}}"), frame.getJsonObject("event"));
          ctx.completeNow();
        })));
  }

  @Test
  void subscribersOnEveryNodeSeeOneOrderForConcurrentWritersOnDifferentNodes(Vertx vertx, VertxTestContext ctx) {
    int perWriter = 100;
    List<TestSocket> subs = new ArrayList<>();
    Future<Void> joined = Future.succeededFuture();
    for (int n = 0; n < 3; n++) {
      int node = n;
      joined = joined.compose(v -> subscribe(vertx, node, "c-order", "g").map(s -> {
        subs.add(s);
        return null;
      }));
    }
    joined.compose(v -> {
          // Two writers, on nodes A and C, race on one item; the owner orders them.
          List<Future<?>> writers = new ArrayList<>();
          for (int node : new int[] {0, 2}) {
            HttpFunctions client = http(node);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < perWriter; i++) {
              calls.add(client.call("stream::update", new JsonObject().put("stream_name", "c-order").put("group_id", "g")
                  .put("item_id", "counter").put("ops", new JsonArray().add(new JsonObject()
                      .put("type", "increment").put("path", "n").put("by", 1)))));
            }
            writers.add(Future.all(calls));
          }
          return Future.all(writers);
        })
        .compose(v -> Future.all(subs.stream().map(s -> s.frames(1 + 2 * perWriter)).toList()))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          List<List<Integer>> seen = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            List<JsonObject> frames = all.resultAt(i);
            seen.add(frames.subList(1, frames.size()).stream()
                .map(f -> f.getJsonObject("event").getJsonObject("data").getInteger("n")).toList());
          }
          List<Integer> expected = new ArrayList<>();
          for (int i = 1; i <= 2 * perWriter; i++) {
            expected.add(i);
          }
          assertEquals(expected, seen.get(0), "node A saw every increment once, in order");
          assertEquals(seen.get(0), seen.get(1), "node B saw the same sequence as A");
          assertEquals(seen.get(0), seen.get(2), "node C saw the same sequence as A");
          ctx.completeNow();
        })));
  }

  @Test
  void aTriggerRegisteredOnOneNodeFiresOnceForWritesMadeOnEveryNode(Vertx vertx, VertxTestContext ctx) {
    List<String> fired = new CopyOnWriteArrayList<>();
    Worker onB = Worker.create(cluster.members.get(1).vertx());
    onB.registerFunction("ctest::on_change", input -> {
          fired.add(((JsonObject) input).getString("groupId") + "/" + ((JsonObject) input).getString("id"));
          return Future.succeededFuture(FunctionResult.NULL);
        })
        .compose(v -> onB.registerTrigger("stream", "ctest::on_change", new JsonObject().put("stream_name", "c-trig")))
        .compose(id -> replicated(vertx, ReplicatedTriggerCatalog.MAP_NAME, m -> m.containsKey(id)))
        .compose(v -> {
          List<Future<?>> writes = new ArrayList<>();
          for (int i = 0; i < 30; i++) {
            // 30 groups, so the owners (and the firing nodes) are spread over the members.
            writes.add(http(i % 3).call("stream::set", set("c-trig", "g" + i, "item", i)));
          }
          return Future.all(writes);
        })
        .compose(v -> until(vertx, "30 trigger calls, got " + fired, () -> fired.size() >= 30))
        .compose(v -> settle(vertx, 500)) // and no extra call arrives (a duplicate would come within ms, as the 30 did)
        .eventually(onB::close)
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(30, fired.size(), "one call per event, cluster-wide: " + fired);
          assertEquals(30, fired.stream().distinct().count(), fired.toString());
          ctx.completeNow();
        })));
  }

  @Test
  void aFunctionRegisteredOnOneNodeIsCallableFromAnother(Vertx vertx, VertxTestContext ctx) {
    Worker onA = Worker.create(cluster.members.get(0).vertx());
    Worker onC = Worker.create(cluster.members.get(2).vertx());
    onA.registerFunction("ctest::echo", input -> Future.succeededFuture(FunctionResult.of(
            new JsonObject().put("echo", input).put("from", "A"))))
        .compose(v -> onC.call("ctest::echo", new JsonObject().put("x", 1)))
        .compose(viaWorker -> {
          ctx.verify(() -> assertEquals(new JsonObject("{\"echo\":{\"x\":1},\"from\":\"A\"}"), viaWorker.value()));
          return http(2).call("ctest::echo", new JsonObject().put("y", 2));
        })
        .eventually(onA::close)
        .onComplete(ctx.succeeding(viaHttp -> ctx.verify(() -> {
          assertEquals(new JsonObject("{\"echo\":{\"y\":2},\"from\":\"A\"}"), viaHttp);
          ctx.completeNow();
        })));
  }

  @Test
  void aJoinHandlerOnOneNodeGuardsJoinsOnAnother(Vertx vertx, VertxTestContext ctx) {
    Worker onA = Worker.create(cluster.members.get(0).vertx());
    onA.registerFunction("ctest::guard", input -> Future.succeededFuture(FunctionResult.of(
            new JsonObject().put("unauthorized", "c-secret".equals(((JsonObject) input).getString("stream_name"))))))
        .compose(v -> onA.registerTrigger("stream:join", "ctest::guard", new JsonObject()))
        .compose(id -> replicated(vertx, ReplicatedTriggerCatalog.MAP_NAME, m -> m.containsKey(id)))
        .compose(v -> TestSocket.connect(vertx, cluster.node(2).streamSocketPort()))
        .compose(s -> s.join("s1", "c-secret", "g", null).compose(v -> s.frame(0)))
        .eventually(onA::close)
        .onComplete(ctx.succeeding(frame -> ctx.verify(() -> {
          assertEquals(new JsonObject().put("type", "unauthorized"), frame.getJsonObject("event"));
          ctx.completeNow();
        })));
  }

  @Test
  void dataWrittenThroughOneNodeIsReadThroughEveryNode(Vertx vertx, VertxTestContext ctx) {
    http(0).call("stream::set", set("c-read", "g1", "a", "A"))
        .compose(r -> http(1).call("stream::set", set("c-read", "g1", "b", "B")))
        .compose(r -> http(2).call("stream::set", set("c-read", "g2", "c", "C")))
        .compose(r -> Future.all(List.of(
            http(0).call("stream::list", new JsonObject().put("stream_name", "c-read").put("group_id", "g1")),
            http(1).call("stream::get", new JsonObject().put("stream_name", "c-read").put("group_id", "g2")
                .put("item_id", "c")),
            http(2).call("stream::list_groups", new JsonObject().put("stream_name", "c-read")))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(new JsonArray("[\"A\",\"B\"]"), all.resultAt(0));
          assertEquals("C", all.resultAt(1));
          JsonArray groups = all.resultAt(2);
          assertEquals(List.of("g1", "g2"), groups.stream().map(String::valueOf).sorted().toList());
          ctx.completeNow();
        })));
  }

  @Test
  void aCustomImplementationRegisteredOnOneNodeServesTheStreamThroughEveryNode(Vertx vertx, VertxTestContext ctx) {
    Worker onA = Worker.create(cluster.members.get(0).vertx());
    List<JsonObject> writes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Six groups, so their owners (where the delegated writes run) are spread over the members.
      writes.add(set("c-custom", "g" + i, "item", i));
    }
    MapStream.register(onA, "c-custom", List.of("set", "list"))
        .map(custom -> custom.seed("g0", "seeded", "from A's implementation"))
        .compose(custom -> replicated(vertx, ReplicatedCustomImplementationCatalog.MAP_NAME,
                m -> m.values().containsAll(List.of("stream::set(c-custom)", "stream::list(c-custom)")))
            .compose(v -> TestSocket.connect(vertx, cluster.node(1).streamSocketPort()))
            .compose(sub -> sub.join("s", "c-custom", "g0", null)
                .compose(v -> sub.frame(0)) // the sync first, so the writes come after it
                .compose(v -> Future.all(writes.stream().map(w -> http(2).call("stream::set", w)).toList()))
                .compose(v -> sub.frames(2))
                .compose(frames -> {
                  ctx.verify(() -> {
                    assertEquals(new JsonObject("{\"type\":\"sync\",\"data\":[\"from A's implementation\"]}"),
                        frames.get(0).getJsonObject("event"), "a join on B is synced from the list on A");
                    assertEquals(new JsonObject("{\"type\":\"create\",\"data\":0}"), frames.get(1).getJsonObject("event"),
                        "the write through C, made on A, reaches the subscriber on B");
                    assertEquals(6, custom.calls().stream().filter(c -> "set".equals(c.getString("op"))).count(),
                        custom.calls().toString());
                  });
                  return http(1).call("stream::list_all", new JsonObject());
                })
                .compose(all -> {
                  ctx.verify(() -> assertEquals(0L, ((JsonObject) all).getJsonArray("stream").stream()
                      .filter(st -> "c-custom".equals(((JsonObject) st).getString("id"))).count(),
                      "the adapter was never written: " + all));
                  return onA.close();
                })
                .compose(v -> replicated(vertx, ReplicatedCustomImplementationCatalog.MAP_NAME, // the withdrawal travels like the registration
                    m -> m.values().stream().noneMatch(f -> String.valueOf(f).endsWith("(c-custom)"))))
                .compose(v -> http(2).call("stream::set", set("c-custom", "g0", "after", "stored")))
                .compose(v -> http(1).call("stream::list", new JsonObject().put("stream_name", "c-custom")
                    .put("group_id", "g0")))
                .eventually(sub::close)))
        .eventually(onA::close)
        .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
          assertEquals(new JsonArray().add("stored"), list, "once A's implementation is gone, the adapter serves");
          ctx.completeNow();
        })));
  }

  @Test
  void aPublishOnOneMemberReachesTheSubscribeTriggersOfTheOthersOnceEach(Vertx vertx, VertxTestContext ctx) {
    List<Object> onB = new CopyOnWriteArrayList<>();
    List<Object> onC = new CopyOnWriteArrayList<>();
    Worker workerB = Worker.create(cluster.members.get(1).vertx());
    Worker workerC = Worker.create(cluster.members.get(2).vertx());
    List<String> ids = new CopyOnWriteArrayList<>();
    workerB.registerFunction("ctest::topic_b", input -> {
          onB.add(input);
          return Future.succeededFuture(FunctionResult.NULL);
        })
        .compose(v -> workerC.registerFunction("ctest::topic_c", input -> {
          onC.add(input);
          return Future.succeededFuture(FunctionResult.NULL);
        }))
        .compose(v -> workerB.registerTrigger("subscribe", "ctest::topic_b", new JsonObject().put("topic", "c-topic")))
        .compose(id -> {
          ids.add(id);
          return workerC.registerTrigger("subscribe", "ctest::topic_c", new JsonObject().put("topic", "c-topic"));
        })
        .compose(id -> {
          ids.add(id);
          return replicated(vertx, ReplicatedTriggerCatalog.MAP_NAME, m -> m.keySet().containsAll(ids));
        })
        // Published through node A, which has neither subscriber.
        .compose(v -> http(0).call("publish", new JsonObject().put("topic", "c-topic").put("data", new JsonObject().put("n", 1))))
        .compose(v -> until(vertx, "both subscribers called: B " + onB + ", C " + onC, () -> !onB.isEmpty() && !onC.isEmpty()))
        .compose(v -> settle(vertx, 300)) // a second delivery would come within ms, as the first did
        .eventually(workerB::close)
        .eventually(workerC::close)
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of(new JsonObject().put("n", 1)), onB, "B's subscriber got the raw data once");
          assertEquals(List.of(new JsonObject().put("n", 1)), onC, "C's subscriber got the raw data once");
          ctx.completeNow();
        })));
  }

  @Test
  void aLeaveOnOneMemberFiresTheLeaveTriggerRegisteredOnAnother(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> leaves = new CopyOnWriteArrayList<>();
    Worker onA = Worker.create(cluster.members.get(0).vertx());
    onA.registerFunction("ctest::on_leave", input -> {
          leaves.add((JsonObject) input);
          return Future.succeededFuture(FunctionResult.NULL);
        })
        .compose(v -> onA.registerTrigger("stream:leave", "ctest::on_leave", new JsonObject()))
        .compose(id -> replicated(vertx, ReplicatedTriggerCatalog.MAP_NAME, m -> m.containsKey(id)))
        .compose(v -> TestSocket.connect(vertx, cluster.node(2).streamSocketPort()))
        .compose(s -> s.join("gone", "c-leave", "g", null).compose(v -> s.frame(0))
            .compose(v -> s.leave("gone", "c-leave", "g", null))
            .compose(v -> until(vertx, "the leave trigger on A fired", () -> !leaves.isEmpty()))
            .compose(v -> settle(vertx, 300)) // and only once
            .eventually(s::close))
        .eventually(onA::close)
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(1, leaves.size(), leaves.toString());
          JsonObject leave = leaves.get(0);
          assertEquals("gone", leave.getString("subscription_id"));
          assertEquals("c-leave", leave.getString("stream_name"));
          assertEquals("g", leave.getString("group_id"));
          ctx.completeNow();
        })));
  }
}
