package io.streamnode.security;

import io.streamnode.StreamNode;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that loops join/leave over fresh group names must not grow a node's heap: every
 * per-group structure (the gateway's subscribers and their event-bus consumer, the store's group
 * queue, presence) is released when the group has no subscriber left. 100,000 pairs, each on a
 * group nobody used before, leave the live heap (counted object by object after a full GC) within a few MB
 * of where it was.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class JoinLeaveHeapTest {

  private static final int PAIRS = Integer.getInteger("streamnode.joinLeavePairs", 100_000);
  /** Joins sent before waiting for their syncs: enough to keep the node busy, bounded in memory. */
  private static final int WINDOW = 500;
  /** "Within a few MB": a leak of even 40 bytes per group would show as 4 MB. */
  private static final long ALLOWED_GROWTH_BYTES = 3L << 20;
  /** The group whose presence notices tell when presence has caught up (see {@link #liveHeap(WebSocket, AtomicLong, long, Set, String)}). */
  private static final String FLUSH_GROUP = "flush";

  private StreamNode node;
  private WebSocketClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      Bounded.await(client.close(), 10);
    }
    if (node != null) {
      Bounded.await(node.close(), 20);
    }
  }

  @Test
  void aHundredThousandJoinLeavePairsOnFreshGroupsLeaveTheHeapWhereItWas(Vertx vertx) {
    node = Bounded.await(TestNodes.start(vertx), 20);
    client = vertx.createWebSocketClient();
    AtomicLong syncs = new AtomicLong();
    Set<String> flushedLeaves = ConcurrentHashMap.newKeySet();
    WebSocket ws = Bounded.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.streamSocketPort()).setURI("/")), 10);
    // Count the syncs only: keeping 100,000 frames would itself grow this JVM's heap. Presence
    // notices (only the flush group's subscriber gets them) name the leaves they report.
    ws.textMessageHandler(text -> {
      if (text.contains("\"sync\"")) {
        syncs.incrementAndGet();
      } else if (text.contains("streamnode:presence")) {
        new JsonObject(text).getJsonObject("event").getJsonObject("event").getJsonObject("data")
            .getJsonArray("left").forEach(l -> flushedLeaves.add(((JsonObject) l).getString("subscription_id")));
      }
    });
    // A subscriber of the flush group, opted in to its presence notices, for the whole test.
    JsonObject watch = TestSocket.command("join", "flush-watch", "s", FLUSH_GROUP, null);
    watch.getJsonObject("data").put("presence", true);
    Bounded.await(ws.writeTextMessage(watch.encode()), 10);

    long sent = pairs(ws, syncs, 1, 10_000, "warm"); // the JIT, lazily built tables and pools settle
    LiveHeap before = liveHeap(ws, syncs, sent, flushedLeaves, "before");
    sent = pairs(ws, syncs, sent + 1, PAIRS, "fresh");
    LiveHeap after = liveHeap(ws, syncs, sent, flushedLeaves, "after");
    sent++;

    // Positive control: the node still serves this very client after the loop.
    Bounded.await(ws.writeTextMessage(TestSocket.command("join", "last", "s", "last", null).encode()), 10);
    long expected = sent + 1;
    Bounded.until(10, () -> syncs.get() == expected, () -> "the join after the loop got no sync");
    long growth = after.bytes() - before.bytes();
    System.out.printf("join/leave heap: %d pairs on fresh groups, live heap %d KB before, %d KB after (%+d KB)%n",
        PAIRS, before.bytes() >> 10, after.bytes() >> 10, growth >> 10);
    System.out.println("grown most: " + after.grownSince(before));
    assertTrue(growth < ALLOWED_GROWTH_BYTES, () -> "the live heap grew by " + (growth >> 10) + " KB over " + PAIRS
        + " join/leave pairs (" + growth / PAIRS + " bytes per group); grown most: " + after.grownSince(before));
  }

  /** Sends {@code n} join/leave pairs on groups {@code prefix0..}, waiting for every join's sync. */
  private static long pairs(WebSocket ws, AtomicLong syncs, long sentBefore, int n, String prefix) {
    long sent = sentBefore;
    for (int from = 0; from < n; from += WINDOW) {
      for (int i = from; i < Math.min(n, from + WINDOW); i++) {
        String group = prefix + i;
        ws.writeTextMessage(TestSocket.command("join", "sub" + i, "s", group, null).encode());
        ws.writeTextMessage(TestSocket.command("leave", "sub" + i, "s", group, null).encode());
        sent++;
      }
      long target = sent;
      Bounded.until(30, () -> syncs.get() >= target, () -> "syncs " + syncs.get() + " of " + target);
    }
    return sent;
  }

  /**
   * Waits until presence has reported every join and leave sent so far, then counts the live heap.
   * Presence keeps the joins and leaves of its current notice interval (one entry per group) until
   * it sends the interval's notices, and on a loaded machine it may lag behind the gateway by
   * thousands of changes: a fixed pause does not say when that batch is gone. A join and leave of
   * the flush group, after everything else on this connection, reach presence after it too (one
   * connection's changes go to presence in order); once the notice reporting that leave arrives,
   * every earlier change has been reported and dropped with it.
   */
  private static LiveHeap liveHeap(WebSocket ws, AtomicLong syncs, long sentBefore, Set<String> flushedLeaves,
                                   String flush) {
    String sub = "flush-" + flush;
    Bounded.await(ws.writeTextMessage(TestSocket.command("join", sub, "s", FLUSH_GROUP, null).encode()), 10);
    Bounded.await(ws.writeTextMessage(TestSocket.command("leave", sub, "s", FLUSH_GROUP, null).encode()), 10);
    Bounded.until(60, () -> syncs.get() >= sentBefore + 1 && flushedLeaves.contains(sub),
        () -> "no presence notice of " + sub + "'s leave (syncs " + syncs.get() + " of " + (sentBefore + 1) + ")");
    return liveHeap();
  }

  /**
   * The live heap, counted object by object: HotSpot's class histogram ({@code jcmd GC.class_histogram})
   * runs a full collection and sums the live objects. {@code MemoryMXBean} "used" after a
   * {@code System.gc()} is not usable here: it counts every TLAB a thread takes after the collection
   * as used, a few MB on a machine whose event loops just ran hot.
   */
  private static LiveHeap liveHeap() {
    try {
      String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      return LiveHeap.parse(histogram);
    } catch (JMException e) {
      throw new IllegalStateException("this test needs HotSpot's DiagnosticCommand MBean", e);
    }
  }

  /** A class histogram: bytes per class and their total. */
  record LiveHeap(long bytes, Map<String, Long> byClass) {

    // "   1:         34693        4593928  [B (java.base@17.0.15)" and "Total   183096   11377688"
    static LiveHeap parse(String histogram) {
      Map<String, Long> byClass = new HashMap<>();
      long total = -1;
      for (String line : histogram.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          byClass.merge(f[3], Long.parseLong(f[2]), Long::sum);
        } else if (f.length == 3 && f[0].equals("Total")) {
          total = Long.parseLong(f[2]);
        }
      }
      if (total < 0) {
        throw new IllegalStateException("no Total line in the class histogram:\n" + histogram);
      }
      return new LiveHeap(total, byClass);
    }

    /** The classes that grew most since {@code before}, for the failure message. */
    String grownSince(LiveHeap before) {
      return byClass.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), e.getValue() - before.byClass.getOrDefault(e.getKey(), 0L)))
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
          .map(e -> e.getKey() + " +" + (e.getValue() >> 10) + " KB").collect(Collectors.joining(", "));
    }
  }
}
