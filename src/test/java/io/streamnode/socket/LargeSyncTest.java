package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.testing.Await;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client asked for is not held against it: a 6 MB sync (3,000 items of 2 KB, six times
 * {@code limits.outbound_queue_bytes}; 3 MB fit in loopback's TCP buffers and would prove nothing) to a client reading at normal speed, while the group
 * changes 10 times a second, does not get it closed as a slow consumer (before, it was closed right
 * after its own sync: the sync alone filled the outbound queue).
 */
@ExtendWith(VertxExtension.class)
@Timeout(60_000)
class LargeSyncTest {

  static final int ITEMS = 3_000;
  /** 2 KB items: 6 MB in all, more than loopback TCP buffers (up to 4 MB) can hide. */
  static final String KB = "x".repeat(2_000);

  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      get(node.close());
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Fills {@code stream/g} with {@link #ITEMS} items of 1 KB, 100 writes in flight at a time. */
  static void fill(Worker worker, String stream) throws Exception {
    for (int from = 0; from < ITEMS; from += 100) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = from; i < from + 100; i++) {
        batch.add(worker.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", "g")
            .put("item_id", String.format("i%05d", i)).put("data", KB)));
      }
      get(Future.all(batch));
    }
  }

  @Test
  void aSixMegabyteSyncWhileTheGroupChangesTenTimesASecondDoesNotCloseTheClient(Vertx vertx) throws Exception {
    node = get(TestNodes.start(vertx, TestNodes.options()));
    Worker worker = Worker.create(vertx);
    fill(worker, "large");
    long writer = vertx.setPeriodic(100, t -> worker.call("stream::set", new JsonObject().put("stream_name", "large")
        .put("group_id", "g").put("item_id", "hot").put("data", System.nanoTime())));
    try {
      // A small receive buffer: the kernel cannot swallow the sync, the node's queue holds most of it
      // while the client reads, as over a real network.
      TestSocket client = get(TestSocket.connect(vertx, new WebSocketClientOptions().setReceiveBufferSize(8192),
          new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.streamSocketPort()).setURI("/")));
      // 6 MB take a while to cross a real network (0.6 s at 80 Mbit/s): the client reads nothing for
      // that long, while the group keeps changing, then reads everything at once.
      client.webSocket().pause();
      get(client.join("s", "large", "g", null));
      Thread.sleep(600);
      client.webSocket().resume();
      JsonObject sync = get(client.frame(0));
      assertEquals("sync", sync.getJsonObject("event").getString("type"));
      assertTrue(sync.getJsonObject("event").getJsonArray("data").size() >= ITEMS);
      // The client keeps being served: 20 events (2 s of writes) arrive, however slowly a loaded
      // machine makes the writer (20 events in a fixed 3 s was a bet on its speed), unless it is
      // closed first, as it was right after its sync.
      Await.until("20 events after the sync", Duration.ofSeconds(30),
          () -> client.received().size() > 20 || client.webSocket().isClosed(),
          () -> "got " + (client.received().size() - 1) + " events");
      assertFalse(client.webSocket().isClosed(), () -> "closed: " + client.webSocket().closeReason());
      get(client.close());
    } finally {
      vertx.cancelTimer(writer);
      get(worker.close());
    }
  }
}
