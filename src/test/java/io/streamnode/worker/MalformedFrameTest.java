package io.streamnode.worker;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad input (WIRE.md 4.1): a frame that is not JSON, or lacks what its type requires, is logged
 * and dropped; the connection, and every other connection, carries on.
 */
class MalformedFrameTest extends WorkerTestBase {

  @Test
  void badFramesAreDroppedAndTheConnectionLives() throws Exception {
    try (RawWorker bad = worker(); RawWorker good = worker()) {
      bad.sendText("this is not json");
      bad.sendText("[1,2,3]");
      bad.sendText("{\"no\":\"type\"}");
      bad.sendText("{\"type\":42}");
      bad.sendText("   ");
      bad.send(new JsonObject().put("type", "registerfunction"));
      bad.send(new JsonObject().put("type", "registertrigger").put("id", uuid()).put("function_id", "f"));
      // iii parses invocation_id as a UUID: anything else drops the whole frame, no reply.
      bad.send(invoke("not-a-uuid", "stream::set", set("s", "g", "i", 1)));
      bad.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)).put("action", new JsonObject().put("type", "teleport")));
      bad.send(new JsonObject().put("type", "invokefunction").put("invocation_id", uuid()));
      bad.send(new JsonObject().put("type", "invocationresult").put("invocation_id", "nope").put("function_id", "f"));
      bad.send(new JsonObject().put("type", "reattach"));
      sync(bad);
      bad.expectSilence(200);
      String id = uuid();
      bad.send(invoke(id, "stream::get", new JsonObject().put("stream_name", "s").put("group_id", "g").put("item_id", "i")));
      JsonObject reply = bad.next("invocationresult");
      assertEquals(id, reply.getString("invocation_id"));
      assertEquals(false, reply.containsKey("result"), "the bad set never ran: " + reply.encode());
      sync(good);
    }
  }

  @Test
  void aMalformedResultLeavesTheCallPending() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("f"));
      sync(worker);
      var call = functions.call("f", 1);
      JsonObject invoke = worker.next("invokefunction");
      worker.send(noResult(invoke).put("error", "not an object"));
      sync(worker);
      worker.send(result(invoke, "fine"));
      assertEquals("fine", call.await().value());
    }
  }

  @Test
  void invocationIdsAreEchoedInCanonicalForm() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id.toUpperCase(), "stream::get", new JsonObject().put("stream_name", "s").put("group_id", "g")
          .put("item_id", "i")));
      assertEquals(id, worker.next("invocationresult").getString("invocation_id"));
    }
  }
}
