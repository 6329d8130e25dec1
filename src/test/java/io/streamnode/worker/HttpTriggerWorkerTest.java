package io.streamnode.worker;

import io.streamnode.config.NodeOptions;
import io.streamnode.http.HttpApiOptions;
import io.streamnode.testing.PlainHttp;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code http} triggers registered on the worker socket, as the unmodified iii-sdk sends them:
 * the route calls the worker's function with iii's request, a malformed one is refused without
 * touching the worker's other registrations, the later of two same routes serves it, and a
 * route goes with its worker.
 */
class HttpTriggerWorkerTest extends WorkerTestBase {

  @Override
  protected NodeOptions options() {
    NodeOptions options = TestNodes.options();
    options.setHttpApi(new HttpApiOptions().setPort(0));
    return options;
  }

  private static JsonObject httpConfig(String method, String path) {
    return new JsonObject().put("api_path", path).put("http_method", method);
  }

  /** Answers the next call of {@code functionId} with a 200 whose body is {@code body}; returns the call's input. */
  private static JsonObject answer(RawWorker worker, String functionId, Object body) throws InterruptedException {
    JsonObject call = worker.next(f -> "invokefunction".equals(f.getString("type"))
        && functionId.equals(f.getString("function_id")));
    worker.send(result(call, new JsonObject().put("status_code", 200).put("body", body)));
    return call.getJsonObject("data");
  }

  /**
   * Returns once the trigger dispatch has handled every registration sent before: the worker
   * socket forwarded them before its pong, and the dispatch answers requests in order.
   */
  private void registrationsSettled() throws Exception {
    vertx.eventBus().request(TriggerAddresses.UNREGISTER, new JsonObject().put("id", "no-such-trigger"))
        .await(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(CompletableFuture<HttpResponse<String>> pending) throws Exception {
    return pending.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRouteRegisteredByAWorkerCallsItsFunctionThroughTheSocket() throws Exception {
    PlainHttp http = PlainHttp.to(node.httpPort());
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("http::redirect"));
      worker.send(registerTrigger(uuid(), "http", "http::redirect", httpConfig("GET", "/s/:code")));
      sync(worker);
      CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() ->
          http.until(http.request("/s/stream-me").GET(), r -> r.statusCode() != 404));
      JsonObject input = answer(worker, "http::redirect", "hi");
      assertEquals(new JsonObject().put("code", "stream-me"), input.getJsonObject("path_params"));
      assertEquals(new JsonObject().put("type", "http").put("path", "/s/:code").put("method", "GET"),
          input.getJsonObject("trigger"));
      HttpResponse<String> r = get(pending);
      assertEquals(200, r.statusCode());
      assertEquals("\"hi\"", r.body());
    }
  }

  @Test
  void aRouteDisappearsWithItsWorker() throws Exception {
    PlainHttp http = PlainHttp.to(node.httpPort());
    RawWorker worker = worker();
    worker.send(registerFunction("w::h"));
    worker.send(registerTrigger(uuid(), "http", "w::h", httpConfig("GET", "/mine")));
    sync(worker);
    CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() ->
        http.until(http.request("/mine").GET(), r -> r.statusCode() != 404));
    answer(worker, "w::h", "served");
    assertEquals(200, get(pending).statusCode());
    worker.close();
    HttpResponse<String> gone = http.until(http.request("/mine").GET(), r -> r.statusCode() == 404);
    assertEquals("NOT_FOUND", new JsonObject(gone.body()).getJsonObject("error").getString("code"));
  }

  @Test
  void aMalformedRouteIsRefusedAndTheWorkersOtherRegistrationsStay() throws Exception {
    PlainHttp http = PlainHttp.to(node.httpPort());
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("w::good"));
      worker.send(registerTrigger(uuid(), "http", "w::good", httpConfig("GET", "/good")));
      String bad = uuid();
      worker.send(registerTrigger(bad, "http", "w::good", new JsonObject().put("api_path", "/bad")));
      JsonObject refused = worker.next("triggerregistrationresult");
      assertEquals(bad, refused.getString("id"));
      assertEquals("http", refused.getString("trigger_type"));
      assertEquals("trigger_registration_failed", refused.getJsonObject("error").getString("code"));

      CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() ->
          http.until(http.request("/good").GET(), r -> r.statusCode() != 404));
      answer(worker, "w::good", "still here");
      assertEquals(200, get(pending).statusCode());
      assertEquals(404, http.get("/bad").statusCode());
    }
  }

  @Test
  void ofTwoWorkersOnTheSameMethodAndPathTheLaterServesItAndTheEarlierAgainWhenItLeaves() throws Exception {
    PlainHttp http = PlainHttp.to(node.httpPort());
    try (RawWorker first = worker()) {
      first.send(registerFunction("a::h"));
      first.send(registerTrigger(uuid(), "http", "a::h", httpConfig("GET", "/shared/:id")));
      sync(first);
      CompletableFuture<HttpResponse<String>> one = CompletableFuture.supplyAsync(() ->
          http.until(http.request("/shared/1").GET(), r -> r.statusCode() != 404));
      answer(first, "a::h", "first");
      assertEquals("\"first\"", get(one).body());

      RawWorker second = worker();
      second.send(registerFunction("b::h"));
      // Same method and shape, another parameter name: the same route.
      second.send(registerTrigger(uuid(), "http", "b::h", httpConfig("get", "/shared/:key")));
      sync(second);
      registrationsSettled();
      CompletableFuture<HttpResponse<String>> two = CompletableFuture.supplyAsync(() -> http.get("/shared/2"));
      JsonObject input = answer(second, "b::h", "second");
      assertEquals(new JsonObject().put("key", "2"), input.getJsonObject("path_params"));
      assertEquals("\"second\"", get(two).body());

      second.close();
      // Until the node has seen the close, the route still calls b::h, which fails (500).
      CompletableFuture<HttpResponse<String>> back = CompletableFuture.supplyAsync(() ->
          http.until(http.request("/shared/3").GET(), r -> r.statusCode() != 500));
      answer(first, "a::h", "first again");
      assertEquals("\"first again\"", get(back).body());
    }
  }
}
