package io.streamnode.worker;

import io.streamnode.testing.Bounded;
import io.streamnode.testing.OpsClients;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public worker socket from a real browser: headless Chromium, driven by playwright-core
 * ({@code clients/ops/public-worker.test.mjs}), opens a page this test serves over HTTP
 * ({@code clients/ops/public-worker.html}); the page's WebSocket to the public listener is refused
 * without the token and with a wrong one, then, with the token in a query parameter, subscribes to
 * a group (a function and a {@code stream} trigger, as iii's browser SDK does) and receives a write
 * made through the HTTP API. Skipped, saying why, when node or chromium is missing
 * ({@code scripts/test} installs Debian's chromium when apt-get is available).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PublicWorkerSocketBrowserTest extends PublicWorkerTestBase {

  private HttpServer pageServer;

  @AfterEach
  void stopPageServer() {
    if (pageServer != null) {
      Bounded.await(pageServer.close(), WAIT_S);
    }
  }

  @Test
  void aPageIsRefusedWithoutTheTokenAndWithItSubscribesAndReceivesALiveEvent() throws Exception {
    Assumptions.assumeTrue(OpsClients.installed("node"), "node is not installed: skipping the public worker socket browser test");
    String chromium = OpsClients.chromium();
    Assumptions.assumeTrue(chromium != null,
        "no chromium (set CHROMIUM, or apt-get install chromium; scripts/test does): skipping the public worker socket browser test");
    OpsClients.install();
    String html = Files.readString(new File(OpsClients.DIR, "public-worker.html").toPath());
    pageServer = Bounded.await(vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("content-type", "text/html; charset=utf-8").end(html))
        .listen(0, "127.0.0.1"), WAIT_S);
    String pageOrigin = "http://127.0.0.1:" + pageServer.actualPort();

    int exit = OpsClients.runNode("public-worker.test.mjs", Map.of(
        "PAGE_URL", pageOrigin + "/",
        "STREAMNODE_PUBLIC_WORKER_URL", "ws://127.0.0.1:" + publicPort() + "/",
        "STREAMNODE_HTTP_URL", "http://127.0.0.1:" + node.httpPort(),
        "CHROMIUM", chromium), "public-worker", 180);
    assertEquals(0, exit, "the page's steps failed; see [public-worker] lines in this test's output");

    // Three upgrades reached the auth function, each from the page (its Origin), the last with the token.
    assertEquals(3, authInputs.size(), authInputs::toString);
    for (JsonObject input : authInputs) {
      assertEquals(pageOrigin, input.getJsonObject("headers").getString("origin"));
    }
    assertTrue(authInputs.get(2).getJsonObject("query_params").getJsonArray("token").contains("good"));
  }
}
