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

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  private static String chromium() {
    String env = System.getenv("CHROMIUM");
    if (env != null && new File(env).canExecute()) {
      return env;
    }
    for (String path : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (new File(path).canExecute()) {
        return path;
      }
    }
    return null;
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDashboardShowsWritesInTheLiveTailAndSubscribersComingAndGoing(Vertx vertx) throws Exception {
    Assumptions.assumeTrue(OpsClients.installed("node"), "node is not installed: skipping the dashboard browser test");
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null,
        "no chromium (set CHROMIUM, or apt-get install chromium; scripts/test does): skipping the dashboard browser test");
    OpsClients.install();
    node = StreamNode.start(vertx, TestNodes.options()).await(20, TimeUnit.SECONDS);
    ProcessBuilder builder = new ProcessBuilder("node", "dashboard.test.mjs").directory(OpsClients.DIR)
        .redirectErrorStream(true);
    builder.environment().put("STREAMNODE_HTTP_URL", "http://127.0.0.1:" + node.httpPort());
    builder.environment().put("STREAMNODE_STREAM_URL", "ws://127.0.0.1:" + node.streamSocketPort() + "/");
    builder.environment().put("CHROMIUM", chromium);
    Process process = builder.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.out.println("[dashboard] " + line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "dashboard-test-output");
    pump.setDaemon(true);
    pump.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("dashboard.test.mjs did not finish within 180 s");
    }
    pump.join(5_000);
    assertEquals(0, process.exitValue(), "the dashboard's browser steps failed; see [dashboard] lines in this test's output");
  }
}
