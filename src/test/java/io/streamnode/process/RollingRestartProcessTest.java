package io.streamnode.process;

import io.streamnode.testing.GroupView;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.streamnode.testing.Bounded.await;
import static io.streamnode.testing.Bounded.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart of every member of a three-process cluster (SIGTERM, start again, wait until
 * it has joined and every partition has its backup) under a write load through all members: the
 * subscribers on the members that stay up receive every acknowledged write, in offset order with
 * no gap (a resync is allowed, silence is not), and concurrent {@code stream::update} increments
 * through every member lose nothing and are never applied twice, while groups move between owners.
 */
class RollingRestartProcessTest {

  private static final String STREAM = "rolling";
  private static final int GROUPS = 6;

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close(), 10);
  }

  /** A client on one member subscribed (with positions) to every group, and the write count when its syncs arrived. */
  private record Subscriber(int member, TestSocket socket, long since) {
  }

  private Subscriber subscribe(ProcessCluster cluster, int member, AtomicInteger clock) {
    TestSocket socket = await(TestSocket.connect(vertx, cluster.node(member).wsPort), 20);
    for (int g = 0; g < GROUPS; g++) {
      JsonObject join = TestSocket.command("join", "s" + g, STREAM, "g" + g, null);
      join.getJsonObject("data").put("positions", true);
      await(socket.send(join), 10);
    }
    await(socket.frames(GROUPS), 30);
    return new Subscriber(member, socket, clock.get());
  }

  /** Every value a client knows in a group: its last full sync's plus those of the events after it. */
  private static Set<Integer> known(List<JsonObject> frames, String group) {
    Set<Integer> values = new HashSet<>();
    for (JsonObject f : frames) {
      if (!group.equals(f.getString("groupId"))) {
        continue;
      }
      JsonObject event = f.getJsonObject("event");
      if ("sync".equals(event.getString("type"))) {
        if (event.getValue("data") instanceof JsonArray data) {
          values.clear();
          data.forEach(v -> values.add((Integer) v));
        }
      } else if (event.getValue("data") instanceof Integer v) {
        values.add(v);
      }
    }
    return values;
  }

  /**
   * Waits until {@code s} knows every write acknowledged after it joined (by ack order, up to
   * now); fails naming what is missing. Ack order is the order of {@code acked}'s clock values.
   */
  private static void receivedEveryAckedWrite(Subscriber s, Map<Integer, Long> acked, String when) {
    long upTo = acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
    List<Integer> missing = new ArrayList<>();
    until(30, () -> {
      missing.clear();
      List<JsonObject> frames = s.socket().received();
      List<Set<Integer>> views = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        views.add(known(frames, "g" + g));
      }
      acked.forEach((value, at) -> {
        if (at > s.since() && at <= upTo && !views.get(value % GROUPS).contains(value)) {
          missing.add(value);
        }
      });
      return missing.isEmpty();
    }, () -> "subscriber on member " + s.member() + " " + when + ": " + missing.size() + " acknowledged writes never arrived, e.g. "
        + missing.subList(0, Math.min(10, missing.size())));
    for (int g = 0; g < GROUPS; g++) {
      GroupView view = GroupView.of(s.socket().received(), STREAM, "g" + g);
      assertEquals(List.of(), view.violations(), "subscriber on member " + s.member() + ", g" + g + " offsets");
    }
  }

  @Test
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void subscribersOnMembersThatStayUpMissNoAcknowledgedWriteAndNoIncrementIsLostThroughARollingRestart() throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(6);
    try (ProcessCluster cluster = ProcessCluster.start(dir, 3)) {
      AtomicInteger clock = new AtomicInteger(); // orders acknowledgements
      Map<Integer, Long> acked = new ConcurrentHashMap<>(); // set value -> ack clock
      AtomicInteger increments = new AtomicInteger();
      AtomicInteger incrementsFailed = new AtomicInteger();
      AtomicInteger setsFailed = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicBoolean[] down = {new AtomicBoolean(), new AtomicBoolean(), new AtomicBoolean()};
      AtomicInteger[] inFlight = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

      List<Subscriber> subscribers = new ArrayList<>();
      for (int m = 0; m < 3; m++) {
        subscribers.add(subscribe(cluster, m, clock));
      }

      List<CompletableFuture<Void>> load = new ArrayList<>();
      for (int w = 0; w < 6; w++) {
        int via = w % 3;
        load.add(CompletableFuture.runAsync(() -> {
          while (running.get()) {
            inFlight[via].incrementAndGet(); // before the check: a drain that saw 0 sees no later call
            if (down[via].get()) {
              inFlight[via].decrementAndGet();
              sleep(50);
              continue;
            }
            int n = next.getAndIncrement();
            try {
              HttpResponse<String> r = cluster.call(via, "stream::set", new JsonObject().put("stream_name", STREAM)
                  .put("group_id", "g" + (n % GROUPS)).put("item_id", "i" + n).put("data", n), 20).get(30, TimeUnit.SECONDS);
              if (r.statusCode() == 200) {
                acked.put(n, (long) clock.incrementAndGet());
              } else {
                setsFailed.incrementAndGet();
                failures.add("set via " + via + ": " + r.body());
              }
            } catch (Exception e) {
              setsFailed.incrementAndGet();
              failures.add("set via " + via + ": " + e);
            }
            try {
              HttpResponse<String> r = cluster.call(via, "stream::update", new JsonObject().put("stream_name", STREAM)
                  .put("group_id", "counter").put("item_id", "c").put("ops", new JsonArray().add(new JsonObject()
                      .put("type", "increment").put("path", "n").put("by", 1))), 20).get(30, TimeUnit.SECONDS);
              if (r.statusCode() == 200) {
                increments.incrementAndGet();
              } else {
                incrementsFailed.incrementAndGet();
                failures.add("increment via " + via + ": " + r.body());
              }
            } catch (Exception e) {
              incrementsFailed.incrementAndGet();
              failures.add("increment via " + via + ": " + e);
            } finally {
              inFlight[via].decrementAndGet();
            }
          }
        }, writers));
      }

      long t0 = System.nanoTime();
      sleep(2_000);
      for (int m = 0; m < 3; m++) {
        Subscriber leaving = subscribers.get(m);
        receivedEveryAckedWrite(leaving, acked, "before its member's restart");
        // Drained first, as a load balancer does: a call still running on a member that stops
        // loses its answer (it may have been applied), which would blur the increment count.
        down[m].set(true);
        int member = m;
        until(30, () -> inFlight[member].get() == 0, () -> "calls through member " + member + " still running");
        cluster.stop(m);
        await(leaving.socket().closed(), 10);
        cluster.restart(m);
        cluster.awaitSafe(3);
        down[m].set(false);
        subscribers.set(m, subscribe(cluster, m, clock));
        System.out.printf("rolling restart: member %d back after %d s, %d sets acknowledged so far%n", m,
            (System.nanoTime() - t0) / 1_000_000_000, acked.size());
        sleep(1_000);
      }
      running.set(false);
      CompletableFuture.allOf(load.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
      for (Subscriber s : subscribers) {
        receivedEveryAckedWrite(s, acked, "at the end");
      }

      HttpResponse<String> counter = cluster.call(1, "stream::get", new JsonObject().put("stream_name", STREAM)
          .put("group_id", "counter").put("item_id", "c"), 20).get(30, TimeUnit.SECONDS);
      assertEquals(200, counter.statusCode(), counter.body());
      int n = new JsonObject(counter.body()).getInteger("n");
      System.out.printf("rolling restart: %d sets acknowledged (%d failed), %d increments acknowledged (%d failed), counter %d%n",
          acked.size(), setsFailed.get(), increments.get(), incrementsFailed.get(), n);
      assertTrue(acked.size() > 100, "too little load: " + acked.size());
      // A member that stops answers the calls it has taken before its store closes, and a call
      // that reaches it while it stops is refused as not found and routed to the new owner: no
      // call through a member that stays up fails, and no increment is lost or applied twice.
      assertEquals(List.of(), failures, "every call through a member that is up succeeds");
      assertEquals(increments.get(), n, "every acknowledged increment counted exactly once");
    } finally {
      writers.shutdownNow();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
