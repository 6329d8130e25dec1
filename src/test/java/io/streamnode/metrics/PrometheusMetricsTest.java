package io.streamnode.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.OpsClients;
import io.streamnode.testing.OpsClients.Metrics;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} is Prometheus text that the Prometheus project's own parser (prometheus_client)
 * accepts, holds Vert.x's JVM meters beside the node's, and its counters move with real traffic:
 * connections and subscriptions while clients are joined, events by type, frames and bytes
 * delivered, a slow-consumer close, function calls by outcome (errors and unknown functions
 * included), and store operations by adapter. The node runs in a Vert.x built as Main builds it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusMetricsTest {

  private static final int ITEMS = 400;
  private static final int ITEM_CHARS = 32 * 1024;
  /** The bound of a wait for something that should happen at once: generous, a loaded CI machine is slow, not wrong. */
  private static final long WAIT_S = 30;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Vertx vertx;
  private Vertx clients;
  private StreamNode node;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(OpsClients.prometheusParserInstalled(),
        "python3 with prometheus_client is not installed (Debian: python3-prometheus-client; scripts/test installs it):"
            + " skipping the Prometheus parser check");
    vertx = NodeMetrics.vertxBuilder(new VertxOptions(), new MetricsOptions()).build();
    clients = Vertx.vertx();
    NodeOptions options = TestNodes.options();
    options.getLimits().setOutboundQueueBytes(256 * 1024);
    node = StreamNode.start(vertx, options).await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
    if (clients != null) {
      clients.close().await(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void metricsParseAsPrometheusTextAndTheCountersMoveWithRealTraffic() throws Exception {
    Metrics before = scrape();
    assertTrue(before.names().stream().anyMatch(n -> n.startsWith("jvm_")), "JVM meters: " + before.names());
    assertTrue(before.names().stream().anyMatch(n -> n.startsWith("vertx_")), "Vert.x meters: " + before.names());

    TestSocket healthy = TestSocket.connect(clients, node.streamSocketPort()).await(WAIT_S, TimeUnit.SECONDS);
    healthy.join("h", "big", "g", null).await(WAIT_S, TimeUnit.SECONDS);
    healthy.frame(0).await(WAIT_S, TimeUnit.SECONDS);
    TestSocket slow = TestSocket.connect(clients, new WebSocketClientOptions().setReceiveBufferSize(8192),
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.streamSocketPort()).setURI("/"))
        .await(WAIT_S, TimeUnit.SECONDS);
    slow.join("s", "big", "g", null).await(WAIT_S, TimeUnit.SECONDS);
    slow.frame(0).await(WAIT_S, TimeUnit.SECONDS);

    Metrics joined = scrape();
    assertEquals(before.value("streamnode_stream_connections") + 2, joined.value("streamnode_stream_connections"));
    assertEquals(before.value("streamnode_subscriptions") + 2, joined.value("streamnode_subscriptions"));
    assertEquals(before.value("streamnode_subscribed_groups") + 1, joined.value("streamnode_subscribed_groups"));

    slow.webSocket().pause();
    HttpFunctions functions = HttpFunctions.create(clients, node.httpPort());
    for (int i = 0; i < ITEMS; i++) {
      functions.call("stream::set", new JsonObject().put("stream_name", "big").put("group_id", "g")
          .put("item_id", "i" + i).put("data", "x".repeat(ITEM_CHARS))).await(30, TimeUnit.SECONDS);
    }
    functions.call("stream::set", new JsonObject().put("stream_name", "big").put("group_id", "g")
        .put("item_id", "i0").put("data", "again")).await(WAIT_S, TimeUnit.SECONDS);
    try {
      healthy.frames(2 + ITEMS).await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("healthy got " + healthy.received().size() + " frames, slow " + slow.received().size()
          + ", slow closed: " + slow.closeStatusCode());
    }
    slow.webSocket().resume();
    slow.closed().await(30, TimeUnit.SECONDS);
    assertEquals((short) 1008, slow.closeStatusCode());
    // Bad input is a function error; an unknown id is counted without its (caller-chosen) name.
    functions.raw("stream::get", "not an object").await(WAIT_S, TimeUnit.SECONDS);
    functions.raw("no::such-function-" + System.nanoTime(), new JsonObject()).await(WAIT_S, TimeUnit.SECONDS);

    // The client may see the close before the node's close handler has counted the connection out
    // (it runs on the node's event loop, which a loaded machine may run late): wait for that one gauge.
    double connectionsLeft = before.value("streamnode_stream_connections") + 1;
    Metrics after = scrapeUntil("the slow consumer's connection is gone", "streamnode_stream_connections",
        v -> v == connectionsLeft);
    assertEquals(ITEMS, delta(before, after, "streamnode_events_published_total", Map.of("type", "create")));
    assertEquals(1, delta(before, after, "streamnode_events_published_total", Map.of("type", "update")));
    double frames = delta(before, after, "streamnode_frames_delivered_total", Map.of());
    assertTrue(frames >= ITEMS + 1 && frames <= 2 * (ITEMS + 1), "frames delivered: " + frames);
    assertTrue(delta(before, after, "streamnode_delivered_bytes_total", Map.of()) >= (double) ITEMS * ITEM_CHARS,
        "bytes delivered");
    assertEquals(1, delta(before, after, "streamnode_slow_consumer_closes_total", Map.of("socket", "stream")));
    assertEquals(ITEMS + 1, delta(before, after, "streamnode_function_call_seconds_count",
        Map.of("function", "stream::set", "outcome", "ok")));
    assertEquals(1, delta(before, after, "streamnode_function_call_seconds_count",
        Map.of("function", "stream::get", "outcome", "error")));
    assertEquals(1, delta(before, after, "streamnode_function_call_seconds_count",
        Map.of("function", "_unknown", "outcome", "not_found")));
    assertEquals(ITEMS + 1, delta(before, after, "streamnode_store_operation_seconds_count",
        Map.of("adapter", "memory", "operation", "stream::set", "outcome", "ok")));
    assertEquals("histogram", after.family("streamnode_function_call_seconds").getString("type"));
    assertTrue(after.value("streamnode_function_call_seconds_bucket", Map.of("function", "stream::set", "le", "+Inf")) >= ITEMS + 1);
    assertEquals(1, after.value("streamnode_redis_up"));
    assertEquals(1, after.value("streamnode_cluster_members"));
    String text = get("/metrics").body();
    assertTrue(!text.contains("\"big\"") && !text.contains("\"g\""), "no stream or group names in labels");
    functions.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private static double delta(Metrics before, Metrics after, String name, Map<String, String> labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private Metrics scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    return OpsClients.parse(r.body());
  }

  /** Scrapes until the value of {@code sample} satisfies {@code done}; fails saying {@code what} after {@link #WAIT_S}. */
  private Metrics scrapeUntil(String what, String sample, java.util.function.DoublePredicate done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (true) {
      Metrics m = scrape();
      if (done.test(m.value(sample))) {
        return m;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT_S + " s: " + what + "; " + sample + " is " + m.value(sample));
      }
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
