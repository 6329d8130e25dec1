package io.streamnode.http.trigger;

import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests, bad handler answers and bad registrations: each gets iii's error envelope
 * {@code {"error":{"code","message","error_id"?}}} (an id on 5xx) or a refused registration,
 * and the limits (body size, call timeout, requests in flight) hold.
 */
class HttpTriggerBadInputTest extends HttpTriggerTestBase {

  @Override
  protected NodeOptions options() {
    NodeOptions options = TestNodes.options();
    options.getLimits().setMaxBodyBytes(1024).setCallTimeoutMs(500);
    options.getHttpApi().setConcurrencyLimit(1);
    return options;
  }

  private static JsonObject error(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonObject("error");
  }

  @Test
  void aMalformedJsonBodyIs400AndTheHandlerIsNotCalled() throws Exception {
    BlockingQueue<JsonObject> inputs = queue();
    function("bad::h", recording(inputs, ok("ok")));
    route("POST", "/links", "bad::h");
    HttpResponse<String> r = http.postJson("/links", "{\"url\":");
    assertEquals(400, r.statusCode());
    assertEquals("INVALID_JSON", error(r).getString("code"));
    assertFalse(error(r).containsKey("error_id"), "no error id on a 4xx");
    assertNull(inputs.poll(200, TimeUnit.MILLISECONDS), "the handler was not called");
  }

  @Test
  void anUnknownRouteIs404NotFoundAndAnotherMethodOnAKnownPathIs405() throws Exception {
    function("bad::h", answering(ok("ok")));
    route("GET", "/known", "bad::h");
    HttpResponse<String> unknown = http.get("/unknown/path");
    assertEquals(404, unknown.statusCode());
    assertEquals("NOT_FOUND", error(unknown).getString("code"));
    HttpResponse<String> wrongMethod = http.postJson("/known", "{}");
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("METHOD_NOT_ALLOWED", error(wrongMethod).getString("code"));
    assertEquals("GET", wrongMethod.headers().firstValue("allow").orElseThrow());
  }

  @Test
  void aHandlerAnsweringSomethingThatIsNotAResponseIs500WithAnErrorId() throws Exception {
    function("bad::string", answering("just a string"));
    function("bad::nothing", input -> Future.succeededFuture(FunctionResult.NONE));
    function("bad::status", answering(new JsonObject().put("status_code", 99).put("body", "x")));
    route("GET", "/string", "bad::string");
    route("GET", "/nothing", "bad::nothing");
    route("GET", "/status", "bad::status");
    for (String path : new String[] {"/string", "/nothing", "/status"}) {
      HttpResponse<String> r = http.get(path);
      assertEquals(500, r.statusCode(), path);
      assertEquals("INVALID_RESPONSE", error(r).getString("code"), path);
      assertTrue(error(r).getString("error_id").matches("[0-9a-f]{12}"), path + ": " + r.body());
    }
  }

  @Test
  void aFailingHandlerIs500WithItsOwnCodeAndAnErrorId() throws Exception {
    function("bad::fails", input -> Future.failedFuture(new FunctionException("LINK_DB_DOWN", "database unreachable", 500)));
    route("GET", "/fails", "bad::fails");
    HttpResponse<String> r = http.get("/fails");
    assertEquals(500, r.statusCode());
    assertEquals("LINK_DB_DOWN", error(r).getString("code"));
    assertEquals("database unreachable", error(r).getString("message"));
    assertTrue(error(r).containsKey("error_id"));
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    BlockingQueue<JsonObject> inputs = queue();
    function("bad::h", recording(inputs, ok("ok")));
    route("POST", "/upload", "bad::h");
    HttpResponse<String> r = http.postJson("/upload", "{\"x\":\"" + "a".repeat(2048) + "\"}");
    assertEquals(413, r.statusCode());
    assertEquals("PAYLOAD_TOO_LARGE", error(r).getString("code"));
    assertTrue(inputs.isEmpty());
  }

  @Test
  void aHandlerSlowerThanTheCallTimeoutIs504() throws Exception {
    function("bad::slow", input -> Promise.<FunctionResult>promise().future()); // never answers
    route("GET", "/slow", "bad::slow");
    HttpResponse<String> r = http.get("/slow");
    assertEquals(504, r.statusCode());
    assertEquals("TIMEOUT", error(r).getString("code"));
    assertFalse(error(r).containsKey("error_id"), "no error id on a timeout, as in iii");
  }

  @Test
  void aRequestBeyondTheConcurrencyLimitIs503() throws Exception {
    Promise<FunctionResult> release = Promise.promise();
    BlockingQueue<JsonObject> entered = queue();
    function("bad::held", input -> {
      entered.add((JsonObject) input);
      return release.future();
    });
    route("GET", "/held", "bad::held");
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> http.get("/held"));
    next(entered); // the first request is in flight
    HttpResponse<String> second = http.get("/held");
    assertEquals(503, second.statusCode());
    assertEquals("SERVICE_UNAVAILABLE", error(second).getString("code"));
    vertx.runOnContext(v -> release.complete(FunctionResult.of(ok("released"))));
    assertEquals(200, first.get(WAIT_S, TimeUnit.SECONDS).statusCode());
    // The slot is free again once the first request ended (the held promise answers at once now).
    assertEquals(200, http.get("/held").statusCode());
  }

  @Test
  void aRegistrationWithAMissingOrMalformedPathOrMethodIsRefused() throws Exception {
    function("bad::h", answering(ok("ok")));
    JsonObject[] configs = {
        new JsonObject().put("http_method", "GET"),
        new JsonObject().put("api_path", "").put("http_method", "GET"),
        new JsonObject().put("api_path", 42).put("http_method", "GET"),
        new JsonObject().put("api_path", "/a//b").put("http_method", "GET"),
        new JsonObject().put("api_path", "/a/:").put("http_method", "GET"),
        new JsonObject().put("api_path", "/a/:id/:id").put("http_method", "GET"),
        new JsonObject().put("api_path", "/a?x=1").put("http_method", "GET"),
        new JsonObject().put("api_path", "/a"),
        new JsonObject().put("api_path", "/a").put("http_method", "FETCH"),
        new JsonObject().put("api_path", "/a").put("http_method", 1),
        new JsonObject().put("api_path", "/a").put("http_method", "GET").put("middleware_function_ids", "m"),
    };
    for (JsonObject config : configs) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> worker.registerTrigger("http", "bad::h", config).toCompletionStage().toCompletableFuture()
              .get(WAIT_S, TimeUnit.SECONDS), config.encode());
      FunctionException refused = assertInstanceOf(FunctionException.class, e.getCause());
      assertEquals("trigger_registration_failed", refused.code(), config.encode());
    }
    assertEquals(404, http.get("/a").statusCode());
    // The worker's other registrations are untouched: a good route registers and is served.
    route("get", "a", "bad::h", new JsonObject().put("middleware_function_ids", new JsonArray()));
    assertEquals(200, http.get("/a").statusCode(), "a lower-case method and a path without its slash are iii's too");
  }
}
