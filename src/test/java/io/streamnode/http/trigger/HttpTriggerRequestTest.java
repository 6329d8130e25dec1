package io.streamnode.http.trigger;

import io.streamnode.function.FunctionResult;
import io.streamnode.testing.PlainHttp;
import io.streamnode.trigger.Trigger;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.BlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A route's handler gets iii's request object (path and query parameters, headers, body, trigger,
 * context) and its {@code {status_code, body, headers}} is the HTTP response, redirects included.
 */
class HttpTriggerRequestTest extends HttpTriggerTestBase {

  @Test
  void theHandlerGetsIiisRequestShapeWithPathAndQueryParametersHeadersAndBody() throws Exception {
    BlockingQueue<JsonObject> inputs = queue();
    function("api::post", recording(inputs, ok(new JsonObject())));
    route("POST", "/users/:id/posts/:post", "api::post");

    HttpResponse<String> r = http.send(http.request("/users/u%201/posts/42?sort=new&tag=a&tag=b&q=x%20y")
        .header("X-Custom", "hello").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"t\",\"n\":[1,2]}")));
    assertEquals(200, r.statusCode(), r.body());

    JsonObject in = next(inputs);
    assertEquals(Set.of("path", "method", "path_params", "query_params", "body", "headers", "trigger", "context"),
        in.fieldNames());
    assertEquals("/users/u%201/posts/42", in.getString("path"));
    assertEquals("POST", in.getString("method"));
    assertEquals(new JsonObject().put("id", "u 1").put("post", "42"), in.getJsonObject("path_params"));
    assertEquals(new JsonObject().put("sort", "new").put("tag", "b").put("q", "x y"), in.getJsonObject("query_params"));
    assertEquals(new JsonObject().put("title", "t").put("n", new JsonArray().add(1).add(2)), in.getJsonObject("body"));
    assertEquals("hello", in.getJsonObject("headers").getString("x-custom"), "header names are lower case");
    assertEquals("application/json", in.getJsonObject("headers").getString("content-type"));
    assertEquals(new JsonObject().put("type", "http").put("path", "/users/:id/posts/:post").put("method", "POST"),
        in.getJsonObject("trigger"));
    assertEquals(new JsonObject(), in.getJsonObject("context"));
  }

  @Test
  void aBodyThatIsNotJsonArrivesAsTextAndNoBodyAsNull() throws Exception {
    BlockingQueue<JsonObject> inputs = queue();
    function("api::text", recording(inputs, ok("fine")));
    route("PUT", "/notes/:id", "api::text");
    http.send(http.request("/notes/1").header("content-type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("hello there")));
    assertEquals("hello there", next(inputs).getValue("body"));
    http.send(http.request("/notes/2").PUT(HttpRequest.BodyPublishers.noBody()));
    JsonObject empty = next(inputs);
    assertTrue(empty.containsKey("body") && empty.getValue("body") == null, empty.encode());
  }

  @Test
  void responseHeadersGivenAsAnObjectOrAsNameValueStringsReachTheClient() throws Exception {
    function("api::object", answering(new JsonObject().put("status_code", 201)
        .put("headers", new JsonObject().put("X-One", "1").put("Cache-Control", "no-store"))
        .put("body", new JsonObject().put("made", true))));
    function("api::lines", answering(new JsonObject().put("status_code", 200)
        .put("headers", new JsonArray().add("X-Two: 2").add("Content-Type: text/plain; charset=utf-8").add("no colon"))
        .put("body", "plain text")));
    route("POST", "/object", "api::object");
    route("GET", "/lines", "api::lines");

    HttpResponse<String> object = http.postJson("/object", "{}");
    assertEquals(201, object.statusCode());
    assertEquals("1", object.headers().firstValue("x-one").orElseThrow());
    assertEquals("no-store", object.headers().firstValue("cache-control").orElseThrow());
    assertEquals("application/json", object.headers().firstValue("content-type").orElseThrow(), "JSON by default");
    assertEquals(new JsonObject().put("made", true), new JsonObject(object.body()));

    HttpResponse<String> lines = http.get("/lines");
    assertEquals(200, lines.statusCode());
    assertEquals("2", lines.headers().firstValue("x-two").orElseThrow());
    assertEquals("text/plain; charset=utf-8", lines.headers().firstValue("content-type").orElseThrow());
    assertEquals("plain text", lines.body(), "a string body with its own Content-Type goes as it is");
  }

  @Test
  void aResponseWithoutStatusOrBodyIs200WithAnEmptyJsonObject() throws Exception {
    function("api::bare", answering(new JsonObject()));
    route("GET", "/bare", "api::bare");
    HttpResponse<String> r = http.get("/bare");
    assertEquals(200, r.statusCode());
    assertEquals("{}", r.body());
  }

  @Test
  void aRedirectIsFollowedByAClientThatFollowsRedirects() throws Exception {
    function("links::redirect", input -> {
      String code = ((JsonObject) input).getJsonObject("path_params").getString("code");
      return Future.succeededFuture(FunctionResult.of(new JsonObject()
          .put("status_code", 302).put("headers", new JsonObject().put("Location", "/landing/" + code))));
    });
    function("links::landing", input -> Future.succeededFuture(FunctionResult.of(
        ok(new JsonObject().put("landed", ((JsonObject) input).getJsonObject("path_params").getString("code"))))));
    route("GET", "/s/:code", "links::redirect");
    route("GET", "/landing/:code", "links::landing");

    HttpResponse<String> redirect = http.get("/s/abc");
    assertEquals(302, redirect.statusCode());
    assertEquals("/landing/abc", redirect.headers().firstValue("location").orElseThrow());

    HttpResponse<String> followed = PlainHttp.followingRedirects(node.httpPort()).get("/s/abc");
    assertEquals(200, followed.statusCode());
    assertEquals(new JsonObject().put("landed", "abc"), new JsonObject(followed.body()));
    assertTrue(followed.uri().getPath().endsWith("/landing/abc"));
  }

  @Test
  void aLiteralSegmentWinsOverAParameterAndMethodAndPathBothMatch() throws Exception {
    function("users::me", answering(ok("me")));
    function("users::one", answering(ok("one")));
    function("users::update", answering(ok("update")));
    route("GET", "/users/:id", "users::one");
    route("GET", "/users/me", "users::me");
    route("PUT", "/users/:id", "users::update");
    assertEquals("\"me\"", http.get("/users/me").body());
    assertEquals("\"one\"", http.get("/users/42").body());
    assertEquals("\"update\"", http.send(http.request("/users/42").PUT(HttpRequest.BodyPublishers.noBody())).body());
    assertEquals(404, http.get("/users").statusCode(), "a parameter never matches a missing segment");
    assertEquals(404, http.get("/users/42/more").statusCode());
  }

  @Test
  void aRouteRegisteredAgainByTheSameIdIsReplaced() throws Exception {
    function("v::one", answering(ok(1)));
    function("v::two", answering(ok(2)));
    Trigger first = new Trigger("route-v", "http", "v::one",
        new JsonObject().put("api_path", "/v").put("http_method", "GET"), null);
    await(worker.registerTrigger(first));
    assertEquals("1", http.get("/v").body());
    await(worker.registerTrigger(new Trigger("route-v", "http", "v::two",
        new JsonObject().put("api_path", "/w").put("http_method", "GET"), null)));
    assertEquals("2", http.get("/w").body());
    assertEquals(404, http.get("/v").statusCode(), "the old path went with the old registration");
  }

  @Test
  void anUnregisteredRouteIsGone() throws Exception {
    function("gone::h", answering(ok("here")));
    String id = route("DELETE", "/gone", "gone::h");
    assertEquals(200, http.send(http.request("/gone").DELETE()).statusCode());
    await(worker.unregisterTrigger(id));
    HttpResponse<String> r = http.send(http.request("/gone").DELETE());
    assertEquals(404, r.statusCode());
    assertEquals("NOT_FOUND", new JsonObject(r.body()).getJsonObject("error").getString("code"));
  }
}
