package io.streamnode.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnode.StreamNode;
import io.streamnode.testing.OpsClients;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard in a real browser: headless Chromium driven by playwright-core
 * ({@code clients/ops/dashboard.test.mjs}) opens {@code /dashboard/}, sees a write made through
 * the HTTP API arrive in the live tail, pauses and resumes the tail, and sees a group's subscriber
 * count rise and fall as a WebSocket client joins and leaves. Skipped, saying why, when node or
 * chromium is missing (scripts/test installs Debian's chromium when apt-get is available).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {

  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDashboardShowsWritesInTheLiveTailAndSubscribersComingAndGoing(Vertx vertx) throws Exception {
    Assumptions.assumeTrue(OpsClients.installed("node"), "node is not installed: skipping the dashboard browser test");
    String chromium = OpsClients.chromium();
    Assumptions.assumeTrue(chromium != null,
        "no chromium (set CHROMIUM, or apt-get install chromium; scripts/test does): skipping the dashboard browser test");
    OpsClients.install();
    node = StreamNode.start(vertx, TestNodes.options()).await(20, TimeUnit.SECONDS);
    int exit = OpsClients.runNode("dashboard.test.mjs", Map.of(
        "STREAMNODE_HTTP_URL", "http://127.0.0.1:" + node.httpPort(),
        "STREAMNODE_STREAM_URL", "ws://127.0.0.1:" + node.streamSocketPort() + "/",
        "CHROMIUM", chromium), "dashboard", 180);
    assertEquals(0, exit, "the dashboard's browser steps failed; see [dashboard] lines in this test's output");
  }
}
