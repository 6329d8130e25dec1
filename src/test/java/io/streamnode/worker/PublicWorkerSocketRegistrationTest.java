package io.streamnode.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static io.streamnode.worker.WorkerTestBase.registerFunction;
import static io.streamnode.worker.WorkerTestBase.registerTrigger;
import static io.streamnode.worker.WorkerTestBase.result;
import static io.streamnode.worker.WorkerTestBase.set;
import static io.streamnode.worker.WorkerTestBase.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a public client's registrations do, as in iii: a browser subscribes to a group by
 * registering a function and a {@code stream} trigger (WIRE.md section 5) and gets the group's live
 * events; the auth result limits registrations ({@code allowed_trigger_types},
 * {@code allow_function_registration}) and may serve them under a prefix
 * ({@code function_registration_prefix}). A denied registration is dropped without a word to the
 * client; a trigger aimed at a function the client may not call is refused {@code FORBIDDEN}.
 */
class PublicWorkerSocketRegistrationTest extends PublicWorkerTestBase {

  private volatile JsonObject grants = new JsonObject();

  @Override
  protected JsonObject grants() {
    return grants;
  }

  private static JsonObject streamConfig(String stream, String group) {
    return new JsonObject().put("stream_name", stream).put("group_id", group);
  }

  @Test
  void aStreamTriggerRegisteredByAPublicClientReceivesLiveEvents() throws Exception {
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("ui::on_click"));
      page.send(registerTrigger(uuid(), "stream", "ui::on_click", streamConfig("clicks", "all")));
      sync(page);
      httpCall("stream::set", set("clicks", "all", "c-17", new JsonObject().put("x", 3)));
      JsonObject event = page.next("invokefunction");
      assertEquals("ui::on_click", event.getString("function_id"));
      JsonObject data = event.getJsonObject("data");
      assertEquals("stream", data.getString("type"));
      assertEquals("clicks", data.getString("streamName"));
      assertEquals("all", data.getString("groupId"));
      assertEquals("c-17", data.getString("id"));
      assertEquals(new JsonObject().put("type", "create").put("data", new JsonObject().put("x", 3)), data.getJsonObject("event"));
      page.send(result(event, null));
    }
  }

  @Test
  void aTriggerTypeOutsideAllowedTriggerTypesIsDroppedSilently() throws Exception {
    grants = new JsonObject().put("allowed_trigger_types", new JsonArray().add("stream"));
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("ui::on_news"));
      page.send(registerFunction("ui::on_score"));
      page.send(registerTrigger(uuid(), "subscribe", "ui::on_news", new JsonObject().put("topic", "news")));
      page.send(registerTrigger(uuid(), "stream", "ui::on_score", streamConfig("scores", "g")));
      sync(page);
      page.expectSilence(100);
      // The disallowed trigger would fire first if it existed; the allowed one fires after it.
      httpCall("publish", new JsonObject().put("topic", "news").put("data", "extra"));
      httpCall("stream::set", set("scores", "g", "a", 1));
      JsonObject fired = page.next("invokefunction");
      assertEquals("ui::on_score", fired.getString("function_id"));
      page.send(result(fired, null));
      page.expectSilence(300);
    }
  }

  @Test
  void whenFunctionRegistrationIsNotAllowedAFunctionIsDroppedSilently() throws Exception {
    grants = new JsonObject().put("allow_function_registration", false);
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("ui::takeover"));
      sync(page);
      page.expectSilence(100);
      assertEquals("function_not_found", failureCode("ui::takeover", new JsonObject()));
    }
    // Positive control: with registration allowed, the same frame serves the function.
    grants = new JsonObject();
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("ui::takeover"));
      sync(page);
      Future<?> call = functions.call("ui::takeover", new JsonObject());
      page.send(result(page.next("invokefunction"), "mine"));
      io.streamnode.testing.Bounded.await(call, WAIT_S);
    }
  }

  @Test
  void withAPrefixFunctionsAreServedUnderItAndTheClientSeesItsOwnIds() throws Exception {
    grants = new JsonObject().put("function_registration_prefix", "u1");
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("ui::on_change"));
      page.send(registerTrigger(uuid(), "stream", "ui::on_change", streamConfig("prefs", "u1")));
      sync(page);
      httpCall("stream::set", set("prefs", "u1", "theme", "dark"));
      JsonObject event = page.next("invokefunction");
      assertEquals("ui::on_change", event.getString("function_id"));
      page.send(result(event, null));

      assertEquals("function_not_found", failureCode("ui::on_change", new JsonObject()));
      Future<?> call = functions.call("u1::ui::on_change", new JsonObject().put("direct", true));
      JsonObject direct = page.next("invokefunction");
      assertEquals("ui::on_change", direct.getString("function_id"));
      page.send(result(direct, "served"));
      assertEquals("served", ((io.streamnode.function.FunctionResult) io.streamnode.testing.Bounded.await(call, WAIT_S)).value());
    }
  }

  @Test
  void aTriggerAimedAtAFunctionTheClientMayNotCallIsRefusedForbidden() throws Exception {
    httpCall("stream::set", set("orders", "g", "o1", "keep me"));
    try (RawWorker page = publicWorker()) {
      String id = uuid();
      page.send(registerTrigger(id, "stream", "stream::delete", streamConfig("orders", "g")));
      JsonObject refused = page.next("triggerregistrationresult");
      assertEquals(id, refused.getString("id"));
      assertEquals("FORBIDDEN", refused.getJsonObject("error").getString("code"));
      // Positive control: a trigger of the client's own function on the same group fires.
      page.send(registerFunction("ui::on_order"));
      page.send(registerTrigger(uuid(), "stream", "ui::on_order", streamConfig("orders", "g")));
      sync(page);
      httpCall("stream::set", set("orders", "g", "o2", "new"));
      JsonObject event = page.next("invokefunction");
      assertEquals("ui::on_order", event.getString("function_id"));
      page.send(result(event, null));
    }
    assertEquals(new JsonArray().add("keep me").add("new"),
        httpCall("stream::list", new JsonObject().put("stream_name", "orders").put("group_id", "g")));
  }
}
