package io.streamnode.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** With {@code metrics.enabled: false} there is no {@code /metrics} route; readiness and the dashboard stay. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsDisabledTest {

  @Test
  void metricsDisabledRemovesTheRouteOnly(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getMetrics().setEnabled(false);
    StreamNode node = StreamNode.start(vertx, options).await(20, TimeUnit.SECONDS);
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertEquals(404, status(http, node, "/metrics"));
      assertEquals(200, status(http, node, "/ready"));
      assertEquals(200, status(http, node, "/dashboard/"));
    } finally {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static int status(HttpClient http, StreamNode node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
