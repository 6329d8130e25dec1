package io.streamnode.worker;

import io.streamnode.testing.TestSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
      worker.send(registerFunction("control"));
      worker.send(registerTrigger(id, "stream", "h", new JsonObject().put("stream_name", "s")));
      worker.send(registerTrigger(uuid(), "stream", "control", new JsonObject().put("stream_name", "s")));
      sync(worker);
      // Positive control: before the unregistration the write fires both triggers.
      worker.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      assertEquals(Set.of("invocationresult", "h", "control"), answerTriggers(worker, 3));

      worker.send(unregisterTrigger(id, "stream"));
      sync(worker);
      worker.send(invoke(uuid(), "stream::set", set("s", "g", "i", 2)));
      // Every frame is read, none skipped: a wrongly fired h would show up here or in the silence.
      assertEquals(Set.of("invocationresult", "control"), answerTriggers(worker, 2));
      worker.expectSilence(300);
    }
  }

  /**
   * Reads the next {@code n} frames, answering each {@code invokefunction}, and returns their
   * types with an invocation replaced by the function it called.
   */
  private static Set<String> answerTriggers(RawWorker worker, int n) throws InterruptedException {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      JsonObject frame = worker.next();
      if ("invokefunction".equals(frame.getString("type"))) {
        worker.send(result(frame, null));
        assertTrue(seen.add(frame.getString("function_id")), "fired twice: " + frame);
      } else {
        assertTrue(seen.add(frame.getString("type")), "twice: " + frame);
      }
    }
    return seen;
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
  void aWorkersJoinHandlerCanRefuseASocketsJoinAndItsLeaveHandlerFiresOnLeave() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("auth::join"));
      worker.send(registerFunction("auth::leave"));
      worker.send(registerTrigger(uuid(), "stream:join", "auth::join", new JsonObject()));
      worker.send(registerTrigger(uuid(), "stream:leave", "auth::leave", new JsonObject()));
      sync(worker);
      TestSocket socket = TestSocket.connect(vertx, node.streamSocketPort()).timeout(20, TimeUnit.SECONDS).await();
      try {
        // Refused: the handler's {"unauthorized": true} reaches the socket as the unauthorized frame.
        socket.join("refused", "s", "secret", null);
        JsonObject join = worker.next();
        assertEquals("auth::join", join.getString("function_id"), join.encode());
        assertEquals("refused", join.getJsonObject("data").getString("subscription_id"));
        worker.send(result(join, new JsonObject().put("unauthorized", true)));
        assertEquals("unauthorized", frame(socket, 0).getJsonObject("event").getString("type"));

        // Allowed, then left: the leave handler gets the same payload shape.
        socket.join("allowed", "s", "open", null);
        worker.send(result(worker.next(), new JsonObject()));
        assertEquals("sync", frame(socket, 1).getJsonObject("event").getString("type"));
        socket.leave("allowed", "s", "open", null);
        JsonObject leave = worker.next();
        assertEquals("auth::leave", leave.getString("function_id"), leave.encode());
        JsonObject data = leave.getJsonObject("data");
        assertEquals("allowed", data.getString("subscription_id"));
        assertEquals("s", data.getString("stream_name"));
        assertEquals("open", data.getString("group_id"));
        worker.send(result(leave, null));
        worker.expectSilence(200); // the refused join left no subscription behind, so no second leave
      } finally {
        socket.close().timeout(20, TimeUnit.SECONDS).await();
      }
    }
  }

  private static JsonObject frame(TestSocket socket, int index) {
    return socket.frame(index).timeout(20, TimeUnit.SECONDS).await();
  }
}
