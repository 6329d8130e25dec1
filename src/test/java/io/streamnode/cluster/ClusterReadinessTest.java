package io.streamnode.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member is ready while its Hazelcast member runs, and {@code GET /ready} answers 503
 * with {@code cluster_not_joined} once the member has stopped (here: terminated, as on a crash of
 * Hazelcast alone), while {@code /health} still answers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterReadinessTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aMemberIsReadyWhileItsHazelcastRunsAndNotAfter() throws Exception {
    ThreeMembers cluster = ThreeMembers.start(1).await(60, TimeUnit.SECONDS);
    int port = cluster.node(0).httpPort();
    try {
      HttpResponse<String> ready = get(port, "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      cluster.members.get(0).hazelcast().getLifecycleService().terminate();
      HttpResponse<String> down = get(port, "/ready");
      assertEquals(503, down.statusCode(), down.body());
      assertTrue(new JsonObject(down.body()).getJsonArray("reasons").contains("cluster_not_joined"), down.body());
      assertEquals(200, get(port, "/health").statusCode());
    } finally {
      // With its Hazelcast gone, the clustered Vert.x cannot unregister cleanly: bounded, best effort.
      try {
        cluster.node(0).close().await(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | RuntimeException ignored) {
        // the member is dead already
      }
      try {
        cluster.members.get(0).vertx().close().await(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | RuntimeException ignored) {
        // same
      }
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
