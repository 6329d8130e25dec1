package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code limits.max_connections} counts every WebSocket of the node (stream and worker sockets);
 * {@code limits.max_connections_per_ip} those of one address. Over either, the upgrade gets 503,
 * and a slot frees when a connection closes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class ConnectionLimitTest {

  private StreamNode node;
  private final List<TestSocket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TestSocket s : sockets) {
      get(s.close().otherwiseEmpty());
    }
    if (node != null) {
      get(node.close());
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private TestSocket connect(Vertx vertx) throws Exception {
    TestSocket s = get(TestSocket.connect(vertx, node.streamSocketPort()));
    sockets.add(s);
    return s;
  }

  private static int refusal(Vertx vertx, int port) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(TestSocket.connect(vertx, port)));
    return assertInstanceOf(UpgradeRejectedException.class, e.getCause()).getStatus();
  }

  private static <T> void eventually(java.util.concurrent.Callable<Boolean> check) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!check.call()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within 20 s");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void overMaxConnectionsTheUpgradeGets503AndAClosedSlotIsReused(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getLimits().setMaxConnections(3);
    node = get(TestNodes.start(vertx, options));
    connect(vertx);
    connect(vertx);
    // A worker connection takes the third slot: one budget for the whole node.
    WebSocketClient workerClient = vertx.createWebSocketClient();
    var worker = get(workerClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.workerSocketPort()).setURI("/").setAllowOriginHeader(false)));
    assertEquals(503, refusal(vertx, node.streamSocketPort()));
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(workerClient.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(node.workerSocketPort()).setURI("/").setAllowOriginHeader(false))));
    assertEquals(503, assertInstanceOf(UpgradeRejectedException.class, e.getCause()).getStatus());
    get(worker.close());
    eventually(() -> {
      try {
        connect(vertx);
        return true;
      } catch (ExecutionException refused) {
        return false;
      }
    });
    // The connections that were in keep working.
    TestSocket first = sockets.get(0);
    get(first.join("s", "limit", "g", null));
    assertEquals("sync", get(first.frame(0)).getJsonObject("event").getString("type"));
  }

  @Test
  void overMaxConnectionsPerIpTheUpgradeGets503(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getLimits().setMaxConnectionsPerIp(2);
    node = get(TestNodes.start(vertx, options));
    connect(vertx);
    TestSocket second = connect(vertx);
    assertEquals(503, refusal(vertx, node.streamSocketPort()));
    get(second.close());
    eventually(() -> {
      try {
        connect(vertx);
        return true;
      } catch (ExecutionException refused) {
        return false;
      }
    });
  }
}
