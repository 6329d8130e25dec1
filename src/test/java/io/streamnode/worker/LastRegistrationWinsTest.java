package io.streamnode.worker;

import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Function and trigger ids are global (WIRE.md 4.4, 4.5): a newer registration from another
 * connection takes the id over, and the old connection can no longer remove it.
 */
class LastRegistrationWinsTest extends WorkerTestBase {

  @Test
  void aNewerFunctionRegistrationTakesOver() throws Exception {
    try (RawWorker first = worker(); RawWorker second = worker()) {
      first.send(registerFunction("shared::fn"));
      sync(first);
      second.send(registerFunction("shared::fn"));
      sync(second);
      for (int i = 0; i < 3; i++) {
        Future<FunctionResult> call = functions.call("shared::fn", i);
        second.send(result(second.next("invokefunction"), "second"));
        assertEquals("second", call.await().value());
      }
      first.expectSilence(100);
    }
  }

  @Test
  void theOldOwnerCannotRemoveWhatWasTakenOver() throws Exception {
    try (RawWorker second = worker()) {
      RawWorker first = worker();
      first.send(registerFunction("shared::fn"));
      sync(first);
      second.send(registerFunction("shared::fn"));
      sync(second);
      first.send(unregisterFunction("shared::fn"));
      sync(first);
      first.close();
      Future<FunctionResult> call = functions.call("shared::fn", 1);
      second.send(result(second.next("invokefunction"), "alive"));
      assertEquals("alive", call.await().value());
    }
  }

  @Test
  void aTriggerIdTakenOverSurvivesItsFormerOwner() throws Exception {
    try (RawWorker second = worker()) {
      RawWorker first = worker();
      first.send(registerFunction("h1"));
      first.send(registerTrigger("trigger-1", "stream", "h1", new JsonObject().put("stream_name", "s")));
      sync(first);
      second.send(registerFunction("h2"));
      second.send(registerTrigger("trigger-1", "stream", "h2", new JsonObject().put("stream_name", "s")));
      sync(second);
      first.close();
      second.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      var frames = nextByType(second, 2);
      assertEquals("h2", frames.get("invokefunction").getString("function_id"));
      second.send(result(frames.get("invokefunction"), null));
      second.expectSilence(300);
    }
  }
}
