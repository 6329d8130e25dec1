package io.streamnode.worker;

import io.streamnode.api.Worker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker whose {@code stream::list} result is large (6 MB, six times
 * {@code limits.outbound_queue_bytes}) is not taken for a slow consumer: the calls sent to it
 * right after still reach it, and it keeps its registrations. A worker that stops reading while
 * calls of its own function pile up beyond that limit is closed as one (1008), and only it.
 */
class LargeResultTest extends WorkerTestBase {

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aLargeListResultDoesNotDropTheWorker() throws Exception {
    Worker writer = Worker.create(vertx);
    String kb = "x".repeat(2_000); // 6 MB in all: more than loopback TCP buffers hide
    for (int from = 0; from < 3_000; from += 100) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = from; i < from + 100; i++) {
        batch.add(writer.call("stream::set", new JsonObject().put("stream_name", "bigw").put("group_id", "g")
            .put("item_id", "i" + i).put("data", kb)));
      }
      get(Future.all(batch));
    }
    // A small receive buffer: the result waits in the node's queue while the worker reads nothing.
    try (RawWorker w = RawWorker.connectWithReceiveBuffer(vertx, port, 8192)) {
      w.next("workerregistered");
      w.send(registerFunction("big::on_change"))
          .send(registerTrigger("t-big", "stream", "big::on_change", new JsonObject().put("stream_name", "bigw2")));
      sync(w);
      String listId = uuid();
      // The worker reads nothing for a while (6 MB over a real network), then everything.
      w.pause();
      w.send(invoke(listId, "stream::list", new JsonObject().put("stream_name", "bigw").put("group_id", "g")));
      Thread.sleep(300); // the result is built and queued first
      // Calls of its function queue up behind the 6 MB result.
      for (int i = 0; i < 5; i++) {
        writer.call("stream::set", new JsonObject().put("stream_name", "bigw2").put("group_id", "g")
            .put("item_id", "i" + i).put("data", i));
      }
      Thread.sleep(600);
      w.resume();
      JsonObject result = null;
      List<JsonObject> calls = new ArrayList<>();
      while (result == null) {
        JsonObject frame = w.next();
        if (listId.equals(frame.getString("invocation_id"))) {
          result = frame;
        } else {
          calls.add(frame);
        }
      }
      assertEquals(3_000, result.getJsonArray("result").size());
      while (calls.size() < 5) {
        calls.add(w.next("invokefunction"));
      }
      for (JsonObject call : calls) {
        assertEquals("invokefunction", call.getString("type"));
        w.send(noResult(call));
      }
      assertFalse(w.awaitClosed(200), "the worker was dropped");
    }
    get(writer.close());
  }

  @Test
  void aWorkerThatStopsReadingWhileItsCallsPileUpIsClosedAsASlowConsumerAndOnlyIt() throws Exception {
    Worker writer = Worker.create(vertx);
    String fiftyKb = "y".repeat(50_000);
    try (StalledWorker slow = new StalledWorker(port); RawWorker healthy = worker()) {
      slow.next("workerregistered");
      slow.send(registerFunction("slow::on_change"))
          .send(registerTrigger("t-slow", "stream", "slow::on_change", new JsonObject().put("stream_name", "piles")))
          .send(new JsonObject().put("type", "ping"))
          .next("pong");
      healthy.send(registerFunction("healthy::on_change"))
          .send(registerTrigger("t-healthy", "stream", "healthy::on_change",
              new JsonObject().put("stream_name", "calm")));
      sync(healthy);
      // The slow worker now reads nothing. 160 calls of 50 KB, 8 MB: more than loopback's send
      // buffer (up to 4 MB, tcp_wmem) takes from the node, plus limits.outbound_queue_bytes.
      // Meanwhile another worker, reading, gets a call of its own for each of them.
      for (int i = 0; i < 160; i++) {
        get(writer.call("stream::set", new JsonObject().put("stream_name", "piles").put("group_id", "g")
            .put("item_id", "i" + i).put("data", fiftyKb)));
        get(writer.call("stream::set", new JsonObject().put("stream_name", "calm").put("group_id", "g")
            .put("item_id", "i" + i).put("data", i)));
        healthy.send(noResult(healthy.next("invokefunction")));
      }
      assertEquals(1008, slow.readUntilClose(), "the worker that read nothing is closed as a slow consumer");
      assertFalse(healthy.awaitClosed(200), "the worker that kept reading was closed too");
    }
    get(writer.close());
  }
}
