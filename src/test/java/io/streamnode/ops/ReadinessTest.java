package io.streamnode.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.store.AdapterOptions;
import io.streamnode.store.redis.RedisServerProcess;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /ready} answers 200 only while the node can serve: with the redis adapter it turns
 * 503 (reason {@code adapter_unreachable}) when the node's Redis stops and 200 again when it is
 * back, without a restart; {@code GET /health} (liveness) stays 200 throughout. Neither says
 * where Redis is. Uses a private redis-server, never the shared one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ReadinessTest {

  /** How long /ready may take to follow Redis: generous, a loaded CI machine is slow, not wrong. */
  private static final long WAIT_MS = 30_000;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private RedisServerProcess redis;
  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
    if (redis != null) {
      redis.kill();
    }
  }

  @Test
  void readyTurns503WhenRedisStopsAnd200WhenItReturnsWhileHealthStays200(Vertx vertx) throws Exception {
    redis = RedisServerProcess.start();
    NodeOptions options = TestNodes.options().setAdapter(new AdapterOptions().setName("redis")
        .setConfig(new JsonObject().put("redis_url", redis.url()).put("channel", "ready-test-" + System.nanoTime())));
    node = StreamNode.start(vertx, options).await(20, TimeUnit.SECONDS);

    // The first probe also opens the probe's Redis connection, all within Readiness.PROBE_TIMEOUT_MS
    // (1 s): a cold JIT or a GC pause may make it miss that on a loaded machine, so wait for 200.
    HttpResponse<String> ready = awaitStatus("/ready", 200, WAIT_MS);
    assertEquals(new JsonObject().put("status", "ready"), new JsonObject(ready.body()));

    redis.kill();
    HttpResponse<String> down = awaitStatus("/ready", 503, WAIT_MS);
    JsonObject reasons = new JsonObject(down.body());
    assertEquals("unavailable", reasons.getString("status"));
    assertTrue(reasons.getJsonArray("reasons").contains("adapter_unreachable"), down.body());
    assertFalse(down.body().contains("127.0.0.1") || down.body().contains(String.valueOf(redis.port)),
        "the reasons do not say where Redis is: " + down.body());
    assertEquals(200, get("/health").statusCode(), "liveness is not readiness");

    redis.restart();
    awaitStatus("/ready", 200, WAIT_MS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> awaitStatus(String path, int status, long ms) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    HttpResponse<String> last = null;
    while (System.currentTimeMillis() < deadline) {
      last = get(path);
      if (last.statusCode() == status) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " did not answer " + status + " within " + ms + " ms; last: "
        + (last == null ? "none" : last.statusCode() + " " + last.body()));
  }
}
