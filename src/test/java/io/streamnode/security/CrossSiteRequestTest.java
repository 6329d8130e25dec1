package io.streamnode.security;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.streamnode.security.SecurityClients.await;
import static io.streamnode.security.SecurityClients.http;
import static io.streamnode.security.SecurityClients.postJson;
import static io.streamnode.security.SecurityClients.refusedWith;
import static io.streamnode.security.SecurityClients.upgrade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A web page the user visits cannot reach the node: the requests a browser sends cross-site
 * without a CORS preflight (text/plain, forms) get 415, a foreign {@code Origin} gets 403, and
 * the worker socket refuses upgrades from web pages.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class CrossSiteRequestTest {

  private static final String SET = "{\"stream_name\":\"xs\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":1}";
  private static final String GET = "{\"stream_name\":\"xs\",\"group_id\":\"g\",\"item_id\":\"i\"}";

  private StreamNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      await(node.close());
    }
  }

  private void start(Vertx vertx, NodeOptions options) throws Exception {
    node = await(TestNodes.start(vertx, options));
  }

  private void assertNothingStored(Vertx vertx) throws Exception {
    SecurityClients.Reply get = postJson(vertx, node.httpPort(), "stream::get", GET, Map.of());
    assertEquals(204, get.status(), "the item must not exist: " + get.body());
  }

  @Test
  void aNoCorsTextPlainPostChangesNothing(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    // What fetch(url, {method: 'POST', mode: 'no-cors', body: '{...}'}) sends from a page on evil.example.
    SecurityClients.Reply reply = http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::set",
        Map.of("content-type", "text/plain;charset=UTF-8", "origin", "https://evil.example"), SET);
    assertEquals(403, reply.status());
    assertEquals("forbidden_origin", reply.errorCode());
    // The same without an Origin header (a non-browser client, or a browser that left it out).
    SecurityClients.Reply plain = http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::set",
        Map.of("content-type", "text/plain;charset=UTF-8"), SET);
    assertEquals(415, plain.status());
    assertEquals("unsupported_media_type", plain.errorCode());
    assertNothingStored(vertx);
  }

  @Test
  void formAndBodilessPostsGet415(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    assertEquals(415, http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::set",
        Map.of("content-type", "application/x-www-form-urlencoded"), SET).status());
    assertEquals(415, http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::set",
        Map.of("content-type", "multipart/form-data; boundary=x"), SET).status());
    assertEquals(415, http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::list_all", Map.of(), null).status());
    assertNothingStored(vertx);
  }

  @Test
  void jsonWithACharsetIsAccepted(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    assertEquals(200, http(vertx, node.httpPort(), HttpMethod.POST, "/functions/stream::set",
        Map.of("content-type", "application/json; charset=utf-8"), SET).status());
  }

  @Test
  void aForeignOriginGets403EvenWithJson(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    SecurityClients.Reply reply = postJson(vertx, node.httpPort(), "stream::set", SET, Map.of("origin", "https://evil.example"));
    assertEquals(403, reply.status());
    assertNothingStored(vertx);
  }

  @Test
  void aPageOfTheApiItselfByIpAddressIsSameOriginButARebindableNameIsNot(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    String self = "127.0.0.1:" + node.httpPort();
    // The dashboard, served by this API, calls it: Origin and Host name the same IP address.
    assertEquals(200, postJson(vertx, node.httpPort(), "stream::set", SET,
        Map.of("origin", "http://" + self, "host", self)).status());
    // A DNS-rebinding page: same-origin in the browser's eyes, but a name an attacker controls.
    String rebound = "evil.example:" + node.httpPort();
    assertEquals(403, postJson(vertx, node.httpPort(), "stream::delete", GET,
        Map.of("origin", "http://" + rebound, "host", rebound)).status());
  }

  @Test
  void anAllowedOriginIsServedWithCorsHeaders(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setAllowedOrigins(List.of("https://app.example"));
    start(vertx, options);
    SecurityClients.Reply preflight = http(vertx, node.httpPort(), HttpMethod.OPTIONS, "/functions/stream::set",
        Map.of("origin", "https://app.example", "access-control-request-method", "POST"), null);
    assertEquals(204, preflight.status());
    assertEquals("https://app.example", preflight.headers().get("access-control-allow-origin"));
    SecurityClients.Reply reply = postJson(vertx, node.httpPort(), "stream::set", SET, Map.of("origin", "https://app.example"));
    assertEquals(200, reply.status());
    assertEquals("https://app.example", reply.headers().get("access-control-allow-origin"));
    assertEquals(403, postJson(vertx, node.httpPort(), "stream::set", SET, Map.of("origin", "https://other.example")).status());
  }

  @Test
  void theWorkerSocketRefusesUpgradesFromWebPages(Vertx vertx) throws Exception {
    start(vertx, TestNodes.options());
    assertEquals(403, refusedWith(upgrade(vertx, node.workerSocketPort(), "/", Map.of("origin", "https://evil.example"))));
    assertEquals(403, refusedWith(upgrade(vertx, node.workerSocketPort(), "/otel", Map.of("origin", "http://localhost:8080"))));
    SecurityClients.Upgraded ws = assertInstanceOf(SecurityClients.Upgraded.class, upgrade(vertx, node.workerSocketPort(), "/", Map.of()));
    ws.close();
  }

  @Test
  void theWorkerSocketAcceptsAListedOrigin(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getWorkerSocket().setAllowedOrigins(List.of("http://localhost:8080"));
    start(vertx, options);
    SecurityClients.Upgraded ws = assertInstanceOf(SecurityClients.Upgraded.class,
        upgrade(vertx, node.workerSocketPort(), "/", Map.of("origin", "http://localhost:8080")));
    ws.close();
  }
}
