package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.ClientFrames;
import io.streamnode.testing.RecordingFunction;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node pings every {@code stream_socket.ping_interval_ms} and closes a connection silent for
 * {@code stream_socket.idle_timeout_ms}: a half-open client loses its subscriptions (its leave
 * triggers fire), a live client (which answers pings, as browsers do) stays.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class IdleTimeoutTest {

  /**
   * Far above a stall of a loaded machine (a GC pause, a starved event loop): the live client,
   * whose pongs are all it sends, must never look idle. With 400 ms any such stall of the node's
   * or the client's event loop got the live client closed.
   */
  private static final long IDLE_TIMEOUT_MS = 3_000;
  private static final long PING_INTERVAL_MS = 250;

  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      get(node.close());
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSilentClientIsClosedAndLeavesWhileALiveOneStays(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setPingIntervalMs(PING_INTERVAL_MS).setIdleTimeoutMs(IDLE_TIMEOUT_MS);
    node = get(TestNodes.start(vertx, options));
    Worker worker = Worker.create(vertx);
    RecordingFunction leaves = get(RecordingFunction.register(worker, "idle::leave"));
    get(worker.registerTrigger("stream:leave", "idle::leave", new JsonObject()));

    TestSocket live = get(TestSocket.connect(vertx, node.streamSocketPort()));
    get(live.join("l", "idle", "g", null));
    get(live.frame(0));

    // A half-open client: upgraded and joined, then it never reads nor answers a ping again.
    try (Socket silent = new Socket("127.0.0.1", node.streamSocketPort())) {
      silent.setSoTimeout(5_000);
      OutputStream out = silent.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = silent.getInputStream();
      StringBuilder response = new StringBuilder();
      while (!response.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        assertTrue(b >= 0, "closed during the handshake");
        response.append((char) b);
      }
      assertTrue(response.toString().startsWith("HTTP/1.1 101"), response.toString());
      byte[] join = new JsonObject().put("type", "join").put("data", new JsonObject().put("subscriptionId", "x")
          .put("streamName", "idle").put("groupId", "g")).encode().getBytes(StandardCharsets.UTF_8);
      out.write(ClientFrames.text(join));
      out.flush();
      long t0 = System.nanoTime();
      // Read everything until the node closes the TCP connection (pings and its close frame arrive first).
      byte[] buf = new byte[8192];
      while (in.read(buf) >= 0) {
        // drained, never answered
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // Not before the timeout (its join was its last frame); the upper bound only tells the idle
      // timeout from a close of some other cause, so it leaves room for a slow machine.
      assertTrue(ms >= IDLE_TIMEOUT_MS - 200 && ms < IDLE_TIMEOUT_MS + 10_000, "closed after " + ms + " ms");
    }
    Object leave = get(leaves.calls(1)).get(0);
    assertEquals("x", ((JsonObject) leave).getString("subscription_id"));
    // The live client answered every ping (Vert.x does, like browsers) and is still served, though
    // its last frame other than a pong (its join, sent before the silent client's) is older than
    // the idle timeout by now.
    Thread.sleep(600);
    assertFalse(live.webSocket().isClosed(), "the live client was closed");
    get(worker.call("stream::set", new JsonObject().put("stream_name", "idle").put("group_id", "g")
        .put("item_id", "i").put("data", 1)));
    assertEquals("create", get(live.frame(1)).getJsonObject("event").getString("type"));
    get(live.close());
    get(worker.close());
  }
}
