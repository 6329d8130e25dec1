package io.streamnode.process;

import io.streamnode.testing.FreePorts;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node as a separate process: durability across kill -9, graceful stop, start-up errors. */
class NodeProcessTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyAcknowledgedFileBasedWriteSurvivesKillNineOfTheNode() throws Exception {
    Path data = dir.resolve("data");
    String[] fileBased = {"--adapter.config.store_method=file_based", "--adapter.config.file_path=" + data};
    Map<String, String> acked = new ConcurrentHashMap<>();
    int killAfter = 1500;
    try (NodeProcess node = NodeProcess.start(dir, fileBased).awaitReady()) {
      // 16 writers keep requests in flight, so the kill lands among unacknowledged writes.
      AtomicInteger next = new AtomicInteger();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        writers.add(CompletableFuture.runAsync(() -> {
          while (acked.size() < killAfter * 2 && node.process().isAlive()) {
            int n = next.getAndIncrement();
            String item = "item-" + n;
            String body = new JsonObject().put("stream_name", "durable").put("group_id", "g" + (n % 7))
                .put("item_id", item).put("data", new JsonObject().put("n", n)).encode();
            try {
              HttpResponse<String> r = node.call("stream::set", body);
              if (r.statusCode() == 200) {
                acked.put(item, "g" + (n % 7));
              }
            } catch (Exception killed) {
              return;
            }
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acked.size() < killAfter && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      node.process().destroyForcibly(); // SIGKILL
      node.process().waitFor(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
    }
    assertTrue(acked.size() >= killAfter, "only " + acked.size() + " writes were acknowledged before the kill");

    try (NodeProcess again = NodeProcess.start(dir, fileBased).awaitReady()) {
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, String> e : acked.entrySet()) {
        String body = new JsonObject().put("stream_name", "durable").put("group_id", e.getValue())
            .put("item_id", e.getKey()).encode();
        HttpResponse<String> r = again.call("stream::get", body);
        int n = Integer.parseInt(e.getKey().substring("item-".length()));
        if (r.statusCode() != 200 || !new JsonObject(r.body()).equals(new JsonObject().put("n", n))) {
          missing.add(e.getKey() + " -> " + r.statusCode() + " " + r.body());
        }
      }
      assertEquals(List.of(), missing, acked.size() + " acknowledged, these are lost");
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void sigtermClosesSocketsWith1001RunsTheirLeaveTriggersAndFlushesTheFileStore() throws Exception {
    Path data = dir.resolve("data");
    String[] fileBased = {"--adapter.config.store_method=file_based", "--adapter.config.file_path=" + data};
    // The shipped presence counter keeps presence/chat/room-1 from join and leave triggers: after
    // the stop, the file store says whether the leaves of the sockets SIGTERM closed did run (and
    // their writes were flushed).
    String[] withPresence = {fileBased[0], fileBased[1], "--deploy", "io.streamnode.examples.PresenceCounterVerticle"};
    String presence = "{\"stream_name\":\"presence\",\"group_id\":\"chat\",\"item_id\":\"room-1\"}";
    Vertx clients = Vertx.vertx();
    try (NodeProcess node = NodeProcess.start(dir, withPresence).awaitReady()) {
      List<TestSocket> sockets = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        TestSocket s = TestSocket.connect(clients, node.wsPort).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        s.join("sub-" + i, "chat", "room-1", null);
        assertEquals("sync", s.frame(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
            .getJsonObject("event").getString("type"));
        sockets.add(s);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String online = "";
      while (!online.equals("{\"online\":2}") && System.nanoTime() < deadline) {
        online = node.call("stream::get", presence).body();
        Thread.sleep(20);
      }
      assertEquals("{\"online\":2}", online, "both joins counted before the stop");
      assertEquals(200, node.call("stream::set",
          "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":\"kept\"}").statusCode());

      node.process().destroy(); // SIGTERM
      for (TestSocket s : sockets) {
        s.closed().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals((short) 1001, s.closeStatusCode(), () -> "close code: going away; node output:\n" + output(node));
      }
      assertTrue(node.process().waitFor(20, TimeUnit.SECONDS), "node did not stop on SIGTERM");
      String out = node.output();
      assertTrue(out.contains("shutting down"), out);
      assertTrue(out.contains("stopped"), out);
      assertTrue(!out.contains("longer than"), out);
    } finally {
      clients.close();
    }
    try (NodeProcess again = NodeProcess.start(dir, fileBased).awaitReady()) {
      assertEquals("{\"online\":0}", again.call("stream::get", presence).body(),
          "the leave of each socket closed by SIGTERM ran, once, and was flushed");
    }
    try (NodeProcess again = NodeProcess.start(dir, fileBased).awaitReady()) {
      HttpResponse<String> r = again.call("stream::get", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"i\"}");
      assertEquals("\"kept\"", r.body());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void startUpLogsProgressAndTheActiveTransport() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir).awaitReady()) {
      String out = node.output();
      assertTrue(out.contains("streamnode 0.1.0 starting"), out);
      assertTrue(out.contains("transport: native epoll") || out.contains("transport: NIO"), out);
      assertTrue(out.contains("store: adapter kv in_memory"), out);
      assertTrue(out.contains("stream socket: ws://127.0.0.1:" + node.wsPort + "/"), out);
      assertTrue(out.contains("ready in"), out);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aBadConfigValueStopsStartUpWithAMessageNamingTheKey() throws Exception {
    NodeProcess.Result r = NodeProcess.run(dir, "start", "--limits.max_frame_bytes=huge");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("configuration error: limits.max_frame_bytes"), r.output());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPortInUseStopsStartUpWithAClearMessage() throws Exception {
    try (NodeProcess first = NodeProcess.start(dir).awaitReady()) {
      NodeProcess.Result r = NodeProcess.run(dir, "start", "--stream_socket.port=" + first.wsPort,
          "--http_api.port=" + FreePorts.listenPort());
      assertEquals(2, r.exitCode(), r.output());
      assertTrue(r.output().contains("start-up failed: stream socket failed to start"), r.output());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void deployStartsAUserVerticleByClassName() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "--deploy", "io.streamnode.examples.PresenceCounterVerticle").awaitReady()) {
      assertTrue(node.output().contains("deployed verticle io.streamnode.examples.PresenceCounterVerticle"), node.output());
      // The verticle's functions are live: calling its join handler counts a viewer.
      HttpResponse<String> r = node.call("presence::on_join",
          "{\"subscription_id\":\"s\",\"stream_name\":\"chat\",\"group_id\":\"room\",\"id\":null,\"context\":null}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("{\"online\":1}", node.call("stream::get",
          "{\"stream_name\":\"presence\",\"group_id\":\"chat\",\"item_id\":\"room\"}").body());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void deployingAnUnknownClassStopsStartUpWithItsName() throws Exception {
    NodeProcess.Result r = NodeProcess.run(dir, "start", "--deploy", "com.example.Missing",
        "--stream_socket.port=0", "--http_api.port=0", "--worker_socket.port=0");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("cannot deploy verticle com.example.Missing"), r.output());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void helpExplainsEveryCommand() throws Exception {
    NodeProcess.Result r = NodeProcess.run(dir, "--help");
    assertEquals(0, r.exitCode());
    for (String word : List.of("start", "config", "trigger", "subscribe", "--config", "--deploy", "--cluster", "STREAMNODE_")) {
      assertTrue(r.output().contains(word), word + " missing from help:\n" + r.output());
    }
  }

  private static String output(NodeProcess node) {
    try {
      node.process().waitFor(5, TimeUnit.SECONDS);
      return node.output();
    } catch (Exception e) {
      return e.toString();
    }
  }
}
