package io.streamnode.security;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.streamnode.security.SecurityClients.await;
import static io.streamnode.security.SecurityClients.postJson;
import static io.streamnode.security.SecurityClients.refusedWith;
import static io.streamnode.security.SecurityClients.upgrade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@code http_api.token} and {@code worker_socket.token}: with a token set, HTTP calls (but
 * {@code GET /health}) and worker upgrades need {@code Authorization: Bearer <token>}; without
 * it they get 401 and nothing is stored.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class ApiTokenTest {

  private static final String HTTP_TOKEN = "http-secret-1";
  private static final String WORKER_TOKEN = "worker-secret-2";
  private static final String SET = "{\"stream_name\":\"tok\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":1}";
  private static final String GET = "{\"stream_name\":\"tok\",\"group_id\":\"g\",\"item_id\":\"i\"}";

  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      await(node.close());
    }
  }

  private StreamNode start(Vertx vertx, NodeOptions options) throws Exception {
    node = await(TestNodes.start(vertx, options));
    return node;
  }

  private NodeOptions withTokens() {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setToken(HTTP_TOKEN);
    options.getWorkerSocket().setToken(WORKER_TOKEN);
    return options;
  }

  @Test
  void httpCallWithoutTheTokenGets401AndChangesNothing(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    SecurityClients.Reply missing = postJson(vertx, node.httpPort(), "stream::set", SET, Map.of());
    assertEquals(401, missing.status());
    assertEquals("unauthorized", missing.errorCode());
    assertEquals("Bearer", missing.headers().get("www-authenticate"));
    SecurityClients.Reply wrong = postJson(vertx, node.httpPort(), "stream::set", SET,
        Map.of("authorization", "Bearer " + WORKER_TOKEN));
    assertEquals(401, wrong.status());
    SecurityClients.Reply get = postJson(vertx, node.httpPort(), "stream::get", GET,
        Map.of("authorization", "Bearer " + HTTP_TOKEN));
    assertEquals(204, get.status(), "nothing was stored: " + get.body());
  }

  @Test
  void httpCallWithTheTokenIsServed(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    Map<String, String> auth = Map.of("authorization", "Bearer " + HTTP_TOKEN);
    assertEquals(200, postJson(vertx, node.httpPort(), "stream::set", SET, auth).status());
    SecurityClients.Reply get = postJson(vertx, node.httpPort(), "stream::get", GET, Map.of("authorization", "bearer " + HTTP_TOKEN));
    assertEquals(200, get.status());
    assertEquals("1", get.body());
  }

  @Test
  void metricsNeedTheTokenAndReadyDoesNot(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    SecurityClients.Reply without = SecurityClients.http(vertx, node.httpPort(), HttpMethod.GET, "/metrics", Map.of(), null);
    assertEquals(401, without.status());
    SecurityClients.Reply with = SecurityClients.http(vertx, node.httpPort(), HttpMethod.GET, "/metrics",
        Map.of("authorization", "Bearer " + HTTP_TOKEN), null);
    assertEquals(200, with.status());
    SecurityClients.Reply ready = SecurityClients.http(vertx, node.httpPort(), HttpMethod.GET, "/ready", Map.of(), null);
    assertEquals(200, ready.status());
  }

  @Test
  void healthNeedsNoToken(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    SecurityClients.Reply health = SecurityClients.http(vertx, node.httpPort(), HttpMethod.GET, "/health", Map.of(), null);
    assertEquals(200, health.status());
    assertEquals(new JsonObject().put("status", "ok"), health.json());
  }

  @Test
  void workerUpgradeWithoutTheTokenIsRefusedWith401(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    assertEquals(401, refusedWith(upgrade(vertx, node.workerSocketPort(), "/", Map.of())));
    assertEquals(401, refusedWith(upgrade(vertx, node.workerSocketPort(), "/",
        Map.of("authorization", "Bearer " + HTTP_TOKEN))));
  }

  @Test
  void workerUpgradeWithTheTokenGetsWorkerRegistered(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    SecurityClients.Upgraded ws = assertInstanceOf(SecurityClients.Upgraded.class,
        upgrade(vertx, node.workerSocketPort(), "/", Map.of("authorization", "Bearer " + WORKER_TOKEN)));
    assertEquals("workerregistered", new JsonObject(ws.next()).getString("type"));
    ws.close();
  }

  @Test
  void telemetryChannelNeedsNoTokenBecauseSdksOpenItWithoutHeaders(Vertx vertx) throws Exception {
    start(vertx, withTokens());
    SecurityClients.Upgraded ws = assertInstanceOf(SecurityClients.Upgraded.class, upgrade(vertx, node.workerSocketPort(), "/otel", Map.of()));
    ws.close();
  }

  @Test
  void theTokenMayComeFromAFile(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("http.token");
    Files.writeString(file, "from-a-file\n");
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setTokenFile(file.toString());
    start(vertx, options);
    assertEquals(401, postJson(vertx, node.httpPort(), "stream::list_all", "{}", Map.of()).status());
    assertEquals(200, postJson(vertx, node.httpPort(), "stream::list_all", "{}",
        Map.of("authorization", "Bearer from-a-file")).status());
  }

  @Test
  void withoutATokenNothingIsAsked(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    assertEquals(200, postJson(vertx, node.httpPort(), "stream::list_all", "{}", Map.of()).status());
    SecurityClients.Upgraded ws = assertInstanceOf(SecurityClients.Upgraded.class, upgrade(vertx, node.workerSocketPort(), "/", Map.of()));
    ws.close();
  }
}
