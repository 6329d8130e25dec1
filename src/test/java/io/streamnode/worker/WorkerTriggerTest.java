package io.streamnode.worker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Triggers registered by a worker (WIRE.md 4.5, 4b): forwarded to trigger dispatch, fired as
 * {@code invokefunction} to the worker, deduplicated by id; only a failure is acknowledged.
 */
class WorkerTriggerTest extends WorkerTestBase {

  @Test
  void aStreamTriggerFiresTheWorkersFunction() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("orders::on-change"));
      worker.send(registerTrigger(uuid(), "stream", "orders::on-change", new JsonObject().put("stream_name", "orders")));
      sync(worker);
      worker.expectSilence(100); // no acknowledgement on success
      worker.send(invoke(uuid(), "stream::set", set("orders", "g1", "o1", new JsonObject().put("n", 1))));
      var frames = nextByType(worker, 2);
      assertEquals("stream::set", frames.get("invocationresult").getString("function_id"));
      JsonObject event = frames.get("invokefunction");
      assertEquals("orders::on-change", event.getString("function_id"));
      JsonObject data = event.getJsonObject("data");
      assertEquals("stream", data.getString("type"));
      assertEquals("orders", data.getString("streamName"));
      assertEquals("g1", data.getString("groupId"));
      assertEquals("o1", data.getString("id"));
      assertEquals(new JsonObject().put("type", "create").put("data", new JsonObject().put("n", 1)), data.getJsonObject("event"));
      worker.send(result(event, new JsonObject()));
    }
  }

  @Test
  void aRefusedRegistrationIsAnsweredWithTriggerRegistrationResult() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(registerTrigger(id, "stream", "f", new JsonObject()));
      JsonObject result = worker.next("triggerregistrationresult");
      assertEquals(id, result.getString("id"));
      assertEquals("stream", result.getString("trigger_type"));
      assertEquals("f", result.getString("function_id"));
      assertEquals("trigger_registration_failed", result.getJsonObject("error").getString("code"));
    }
  }

  @Test
  void aTriggerOfAnUnknownTypeIsParkedNotRefused() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerTrigger(uuid(), "cron", "f", new JsonObject().put("expression", "* * * * * *")));
      sync(worker);
      worker.expectSilence(200);
    }
  }

  @Test
  void unregisterTriggerStopsIt() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(registerFunction("h"));
      worker.send(registerTrigger(id, "stream", "h", new JsonObject().put("stream_name", "s")));
      worker.send(unregisterTrigger(id, "stream"));
      sync(worker);
      worker.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      worker.next("invocationresult");
      worker.expectSilence(300);
    }
  }

  @Test
  void replayingATriggerIdDoesNotDoubleFire() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(registerFunction("h"));
      worker.send(registerTrigger(id, "stream", "h", new JsonObject().put("stream_name", "s")));
      worker.send(registerFunction("h"));
      worker.send(registerTrigger(id, "stream", "h", new JsonObject().put("stream_name", "s")));
      sync(worker);
      worker.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      var frames = nextByType(worker, 2);
      worker.send(result(frames.get("invokefunction"), null));
      assertEquals("stream::set", frames.get("invocationresult").getString("function_id"));
      worker.expectSilence(300);
    }
  }

  @Test
  void publishReachesEverySubscriberWithTheRawData() throws Exception {
    try (RawWorker a = worker(); RawWorker b = worker()) {
      a.send(registerFunction("a::onTopic"));
      a.send(registerTrigger(uuid(), "subscribe", "a::onTopic", new JsonObject().put("topic", "orders.shipped")));
      sync(a);
      b.send(registerFunction("b::onTopic"));
      b.send(registerTrigger(uuid(), "subscribe", "b::onTopic", new JsonObject().put("topic", "orders.shipped")));
      sync(b);
      a.send(invokeVoid("publish", new JsonObject().put("topic", "orders.shipped")
          .put("data", new JsonObject().put("orderId", "abc"))));
      assertEquals(new JsonObject().put("orderId", "abc"), a.next("invokefunction").getJsonObject("data"));
      assertEquals(new JsonObject().put("orderId", "abc"), b.next("invokefunction").getJsonObject("data"));
      a.expectSilence(100);
    }
  }

  @Test
  void aJoinHandlerCanRefuseAndLeaveHandlersFire() throws Exception {
    // The stream-socket side is covered by the Node suite; here the worker answers the dispatch directly.
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("auth::join"));
      worker.send(registerTrigger(uuid(), "stream:join", "auth::join", new JsonObject()));
      sync(worker);
      var join = vertx.eventBus().<JsonObject>request(io.streamnode.trigger.TriggerAddresses.JOIN,
          new JsonObject().put("stream_name", "s").put("group_id", "g"));
      worker.send(result(worker.next("invokefunction"), new JsonObject().put("unauthorized", true)));
      assertEquals(true, join.await().body().getBoolean("unauthorized"));
    }
  }
}
