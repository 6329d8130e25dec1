package io.streamnode.http.trigger;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.http.CorsOptions;
import io.streamnode.testing.PlainHttp;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CORS of the routes as iii sets it: by default any origin and method; with
 * {@code http_api.cors.allowed_origins} / {@code allowed_methods} only those. Preflights are
 * answered without calling the handler.
 */
class HttpTriggerCorsTest extends HttpTriggerTestBase {

  private static HttpRequest.Builder preflight(PlainHttp http, String path, String origin, String method) {
    return http.request(path).header("Origin", origin).header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", "content-type, x-token")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
  }

  @Test
  void byDefaultAPreflightIsAnsweredForAnyOriginAndMethod() throws Exception {
    function("cors::h", recording(queue(), ok("ok")));
    route("POST", "/api/things/:id", "cors::h");

    HttpResponse<String> r = http.send(preflight(http, "/api/things/1", "https://anywhere.example", "POST"));
    assertEquals(200, r.statusCode());
    assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElseThrow());
    assertEquals("*", r.headers().firstValue("access-control-allow-methods").orElseThrow());
    assertEquals("*", r.headers().firstValue("access-control-allow-headers").orElseThrow());
    assertEquals("", r.body());

    HttpResponse<String> actual = http.send(http.request("/api/things/1").header("Origin", "https://anywhere.example")
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(200, actual.statusCode());
    assertEquals("*", actual.headers().firstValue("access-control-allow-origin").orElseThrow());
  }

  @Test
  void configuredOriginsAndMethodsAreTheOnlyOnesAllowed() throws Exception {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setCors(new CorsOptions().setAllowedOrigins(List.of("https://app.example"))
        .setAllowedMethods(List.of("GET", "post")));
    // A Vert.x of its own: two nodes in one Vert.x would share (and split) its event-bus addresses.
    Vertx own = Vertx.vertx();
    try {
      StreamNode strict = TestNodes.start(own, options).await(WAIT_S, TimeUnit.SECONDS);
      Worker ownWorker = Worker.create(own);
      await(ownWorker.registerFunction("cors::h", answering(ok("ok"))));
      await(ownWorker.registerTrigger("http", "cors::h", new JsonObject().put("api_path", "/strict").put("http_method", "GET")));
      PlainHttp client = PlainHttp.to(strict.httpPort());

      HttpResponse<String> allowed = client.send(preflight(client, "/strict", "https://app.example", "GET"));
      assertEquals(200, allowed.statusCode());
      assertEquals("https://app.example", allowed.headers().firstValue("access-control-allow-origin").orElseThrow());
      assertEquals("GET,POST", allowed.headers().firstValue("access-control-allow-methods").orElseThrow());
      assertTrue(allowed.headers().firstValue("vary").orElseThrow().contains("origin"));

      HttpResponse<String> other = client.send(preflight(client, "/strict", "https://evil.example", "GET"));
      assertFalse(other.headers().firstValue("access-control-allow-origin").isPresent(),
          "an origin not listed gets no Access-Control-Allow-Origin: the browser refuses");

      HttpResponse<String> actual = client.send(client.request("/strict").header("Origin", "https://app.example").GET());
      assertEquals(200, actual.statusCode());
      assertEquals("https://app.example", actual.headers().firstValue("access-control-allow-origin").orElseThrow());
      HttpResponse<String> foreign = client.send(client.request("/strict").header("Origin", "https://evil.example").GET());
      assertFalse(foreign.headers().firstValue("access-control-allow-origin").isPresent());
    } finally {
      own.close().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPreflightForAPathWithoutRoutesIsNotFound() {
    HttpResponse<String> r = http.send(preflight(http, "/nothing/here", "https://app.example", "GET"));
    assertEquals(404, r.statusCode());
    assertEquals("NOT_FOUND", new JsonObject(r.body()).getJsonObject("error").getString("code"));
  }
}
