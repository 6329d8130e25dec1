package io.streamnode.http.trigger;

import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.http.MiddlewareOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global middleware ({@code http_api.middleware}, by priority) and a route's own
 * {@code middleware_function_ids} (in order) run before the handler; each continues or responds.
 */
class HttpTriggerMiddlewareTest extends HttpTriggerTestBase {

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final BlockingQueue<JsonObject> globalInputs = queue();

  @Override
  protected NodeOptions options() {
    NodeOptions options = TestNodes.options();
    // Listed out of order: priority decides, lower first.
    options.getHttpApi().setMiddleware(List.of(
        new MiddlewareOptions().setFunctionId("global::second").setPriority(10),
        new MiddlewareOptions().setFunctionId("global::first").setPriority(5)));
    return options;
  }

  /** Serves the two global middleware: {@code global::first} refuses requests with {@code x-deny}. */
  private void globals() throws Exception {
    function("global::first", input -> {
      calls.add("global::first");
      globalInputs.add((JsonObject) input);
      JsonObject headers = ((JsonObject) input).getJsonObject("request").getJsonObject("headers");
      if (headers.containsKey("x-deny")) {
        return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "respond").put("response",
            new JsonObject().put("status_code", 401).put("body", new JsonObject().put("error", "denied"))
                .put("headers", new JsonObject().put("WWW-Authenticate", "Bearer")))));
      }
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "continue")));
    });
    function("global::second", input -> {
      calls.add("global::second");
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "continue")
          .put("context", new JsonObject().put("user", "ann"))));
    });
  }

  private void handler(BlockingQueue<JsonObject> inputs) throws Exception {
    function("api::h", input -> {
      calls.add("api::h");
      inputs.add((JsonObject) input);
      return Future.succeededFuture(FunctionResult.of(ok("done")));
    });
  }

  @Test
  void globalMiddlewareRunsByPriorityBeforeTheHandlerWithIiisMiddlewareInput() throws Exception {
    globals();
    BlockingQueue<JsonObject> inputs = queue();
    handler(inputs);
    route("GET", "/items/:id", "api::h");

    HttpResponse<String> r = http.send(http.request("/items/7?x=1").header("X-Trace", "t1").GET());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(List.of("global::first", "global::second", "api::h"), calls);

    JsonObject mw = next(globalInputs);
    assertEquals("preHandler", mw.getString("phase"));
    JsonObject request = mw.getJsonObject("request");
    assertEquals(java.util.Set.of("path_params", "query_params", "headers", "method"), request.fieldNames(),
        "middleware gets no body, as in iii");
    assertEquals(new JsonObject().put("id", "7"), request.getJsonObject("path_params"));
    assertEquals(new JsonObject().put("x", "1"), request.getJsonObject("query_params"));
    assertEquals("t1", request.getJsonObject("headers").getString("x-trace"));
    assertEquals("GET", request.getString("method"));
    assertEquals(new JsonObject(), mw.getJsonObject("context"));

    assertEquals(new JsonObject().put("user", "ann"), next(inputs).getJsonObject("context"),
        "a continuing middleware's context reaches the handler");
  }

  @Test
  void aGlobalMiddlewareThatRespondsEndsTheRequestWithItsResponse() throws Exception {
    globals();
    BlockingQueue<JsonObject> inputs = queue();
    handler(inputs);
    route("GET", "/private", "api::h");

    HttpResponse<String> r = http.send(http.request("/private").header("X-Deny", "1").GET());
    assertEquals(401, r.statusCode());
    assertEquals("Bearer", r.headers().firstValue("www-authenticate").orElseThrow());
    assertEquals(new JsonObject().put("error", "denied"), new JsonObject(r.body()));
    assertEquals(List.of("global::first"), calls, "nothing runs after a middleware that responds");
  }

  @Test
  void routeMiddlewareRunsInOrderAfterTheGlobalOnesAndCanRespond() throws Exception {
    globals();
    BlockingQueue<JsonObject> inputs = queue();
    handler(inputs);
    function("route::audit", input -> {
      calls.add("route::audit");
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "continue")
          .put("context", new JsonObject().put("audited", true))));
    });
    function("route::quota", input -> {
      calls.add("route::quota");
      JsonObject query = ((JsonObject) input).getJsonObject("request").getJsonObject("query_params");
      if ("over".equals(query.getString("plan"))) {
        return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "respond")
            .put("response", new JsonObject().put("status_code", 429).put("body", "slow down")
                .put("headers", new JsonArray().add("Retry-After: 5").add("Content-Type: text/plain")))));
      }
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "continue")));
    });
    route("POST", "/orders", "api::h", new JsonObject()
        .put("middleware_function_ids", new JsonArray().add("route::audit").add("route::quota")));

    HttpResponse<String> passed = http.postJson("/orders", "{\"n\":1}");
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals(List.of("global::first", "global::second", "route::audit", "route::quota", "api::h"), calls);
    assertEquals(new JsonObject().put("user", "ann").put("audited", true), next(inputs).getJsonObject("context"));

    calls.clear();
    HttpResponse<String> refused = http.postJson("/orders?plan=over", "{\"n\":1}");
    assertEquals(429, refused.statusCode());
    assertEquals("5", refused.headers().firstValue("retry-after").orElseThrow());
    assertEquals("slow down", refused.body());
    assertEquals(List.of("global::first", "global::second", "route::audit", "route::quota"), calls);
  }

  @Test
  void aMiddlewareAnsweringNeitherContinueNorRespondIsTreatedAsContinue() throws Exception {
    globals();
    BlockingQueue<JsonObject> inputs = queue();
    handler(inputs);
    function("route::odd", input -> Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "maybe"))));
    function("route::silent", input -> Future.succeededFuture(FunctionResult.NONE));
    route("GET", "/odd", "api::h", new JsonObject()
        .put("middleware_function_ids", new JsonArray().add("route::odd").add("route::silent")));
    assertEquals(200, http.get("/odd").statusCode());
  }

  @Test
  void aFailingMiddlewareIs500WithItsCodeAndAnErrorId() throws Exception {
    globals();
    BlockingQueue<JsonObject> inputs = queue();
    handler(inputs);
    function("route::broken", input -> Future.failedFuture(new FunctionException("AUTH_DOWN", "auth is down", 500)));
    route("GET", "/broken", "api::h", new JsonObject().put("middleware_function_ids", new JsonArray().add("route::broken")));

    HttpResponse<String> r = http.get("/broken");
    assertEquals(500, r.statusCode());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals("AUTH_DOWN", error.getString("code"));
    assertEquals("auth is down", error.getString("message"));
    assertNotNull(error.getString("error_id"));
    assertTrue(error.getString("error_id").matches("[0-9a-f]{12}"), error.encode());
    assertTrue(inputs.isEmpty());
  }
}
