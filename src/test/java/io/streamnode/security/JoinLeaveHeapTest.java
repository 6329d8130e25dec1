package io.streamnode.security;

import io.streamnode.StreamNode;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that loops join/leave over fresh group names must not grow a node's heap: every
 * per-group structure (the gateway's subscribers and their event-bus consumer, the store's group
 * queue, presence) is released when the group has no subscriber left. 100,000 pairs, each on a
 * group nobody used before, leave the live heap (after full GCs) within a few MB of where it was.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class JoinLeaveHeapTest {

  private static final int PAIRS = Integer.getInteger("streamnode.joinLeavePairs", 100_000);
  /** Joins sent before waiting for their syncs: enough to keep the node busy, bounded in memory. */
  private static final int WINDOW = 500;
  /** "Within a few MB": a leak of even 40 bytes per group would show as 4 MB. */
  private static final long ALLOWED_GROWTH_BYTES = 3L << 20;

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
    WebSocket ws = Bounded.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.streamSocketPort()).setURI("/")), 10);
    // Count the syncs only: keeping 100,000 frames would itself grow this JVM's heap.
    ws.textMessageHandler(text -> {
      if (text.contains("\"sync\"")) {
        syncs.incrementAndGet();
      }
    });

    long sent = pairs(ws, syncs, 0, 10_000, "warm"); // the JIT, lazily built tables and pools settle
    long before = liveHeap();
    sent = pairs(ws, syncs, sent, PAIRS, "fresh");
    long after = liveHeap();

    // Positive control: the node still serves this very client after the loop.
    Bounded.await(ws.writeTextMessage(TestSocket.command("join", "last", "s", "last", null).encode()), 10);
    long expected = sent + 1;
    Bounded.until(10, () -> syncs.get() == expected, () -> "the join after the loop got no sync");
    long growth = after - before;
    System.out.printf("join/leave heap: %d pairs on fresh groups, live heap %d KB before, %d KB after (%+d KB)%n",
        PAIRS, before >> 10, after >> 10, growth >> 10);
    assertTrue(growth < ALLOWED_GROWTH_BYTES, "the live heap grew by " + (growth >> 10) + " KB over " + PAIRS
        + " join/leave pairs (" + growth / PAIRS + " bytes per group)");
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

  /** Live heap after full collections (several: finalizable and soft references take more than one). */
  private static long liveHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
