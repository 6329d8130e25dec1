package io.streamnode.http.trigger;

import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
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
 * A route's {@code condition_function_id} gets the request; {@code false} skips the handler with
 * 422 {@code CONDITION_NOT_MET} and {@code "skipped": true}, anything else lets it run.
 */
class HttpTriggerConditionTest extends HttpTriggerTestBase {

  @Test
  void anUnmetConditionIs422SkippedAndAMetOneCallsTheHandler() throws Exception {
    BlockingQueue<JsonObject> conditionInputs = queue();
    BlockingQueue<JsonObject> handled = queue();
    function("orders::is-vip", input -> {
      conditionInputs.add((JsonObject) input);
      JsonObject body = ((JsonObject) input).getJsonObject("body");
      return Future.succeededFuture(FunctionResult.of(body != null && body.getBoolean("vip", false)));
    });
    function("orders::create", recording(handled, ok("created")));
    route("POST", "/orders", "orders::create", new JsonObject().put("condition_function_id", "orders::is-vip"));

    HttpResponse<String> skipped = http.postJson("/orders", "{\"vip\":false}");
    assertEquals(422, skipped.statusCode());
    assertEquals(new JsonObject("{\"error\":{\"code\":\"CONDITION_NOT_MET\",\"message\":\"Request condition not met\"},"
        + "\"skipped\":true}"), new JsonObject(skipped.body()));
    JsonObject seen = next(conditionInputs);
    assertEquals(new JsonObject().put("vip", false), seen.getJsonObject("body"), "the condition gets the request");
    assertEquals("/orders", seen.getJsonObject("trigger").getString("path"));
    assertTrue(handled.isEmpty());

    HttpResponse<String> met = http.postJson("/orders", "{\"vip\":true}");
    assertEquals(200, met.statusCode());
    assertEquals(new JsonObject().put("vip", true), next(handled).getJsonObject("body"));
  }

  @Test
  void aConditionWithoutResultLetsTheHandlerRun() throws Exception {
    function("c::silent", input -> Future.succeededFuture(FunctionResult.NONE));
    function("c::h", answering(ok("ran")));
    route("GET", "/silent", "c::h", new JsonObject().put("condition_function_id", "c::silent"));
    assertEquals(200, http.get("/silent").statusCode());
  }

  @Test
  void aFailingConditionIs500WithItsCodeAndAnErrorId() throws Exception {
    function("c::broken", input -> Future.failedFuture(new FunctionException("COND", "nope", 500)));
    function("c::h", answering(ok("ran")));
    route("GET", "/guarded", "c::h", new JsonObject().put("condition_function_id", "c::broken"));
    HttpResponse<String> r = http.get("/guarded");
    assertEquals(500, r.statusCode());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals("COND", error.getString("code"));
    assertNotNull(error.getString("error_id"));
  }

  @Test
  void theConditionRunsAfterGlobalMiddlewareAndBeforeTheRoutesOwn() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    function("c::cond", input -> {
      calls.add("condition");
      return Future.succeededFuture(FunctionResult.of(true));
    });
    function("c::mw", input -> {
      calls.add("route middleware");
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("action", "continue")));
    });
    function("c::h", input -> {
      calls.add("handler");
      return Future.succeededFuture(FunctionResult.of(ok("ran")));
    });
    route("GET", "/ordered", "c::h", new JsonObject().put("condition_function_id", "c::cond")
        .put("middleware_function_ids", new JsonArray().add("c::mw")));
    assertEquals(200, http.get("/ordered").statusCode());
    assertEquals(List.of("condition", "route middleware", "handler"), calls);
  }
}
