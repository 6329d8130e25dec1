package io.streamnode.worker;

import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a worker leaves behind when it goes (WIRE.md 4.3 step 5, 7.19): nothing. Its functions
 * and triggers are removed, calls it owes fail with {@code invocation_stopped}, and a reattach
 * retires the previous connection before the replay.
 */
class WorkerDisconnectTest extends WorkerTestBase {

  @Test
  void functionsAndTriggersGoWithTheWorker() throws Exception {
    RawWorker gone = worker();
    gone.send(registerFunction("gone::fn"));
    gone.send(registerTrigger(uuid(), "stream", "gone::fn", new JsonObject().put("stream_name", "s")));
    sync(gone);
    gone.close();
    try (RawWorker watcher = worker()) {
      // A Java-side function takes the id: if the trigger had survived, it would be called.
      var calls = new java.util.concurrent.atomic.AtomicInteger();
      assertFunctionNotFound("gone::fn");
      functions.register("gone::fn", in -> {
        calls.incrementAndGet();
        return Future.succeededFuture(FunctionResult.NONE);
      }).completion().await();
      // Positive control: the watcher's own trigger on the same stream fires for the same write,
      // so the write did reach trigger dispatch; the gone worker's trigger must not have.
      watcher.send(registerFunction("watcher::control"));
      watcher.send(registerTrigger(uuid(), "stream", "watcher::control", new JsonObject().put("stream_name", "s")));
      sync(watcher);
      watcher.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      var frames = nextByType(watcher, 2);
      assertEquals("watcher::control", frames.get("invokefunction").getString("function_id"));
      watcher.send(result(frames.get("invokefunction"), null));
      watcher.expectSilence(300);
      assertEquals(0, calls.get(), "the gone worker's trigger fired");
    }
  }

  @Test
  void callsInFlightFailWithInvocationStopped() throws Exception {
    RawWorker worker = worker();
    worker.send(registerFunction("f"));
    sync(worker);
    Future<FunctionResult> call = functions.call("f", 1);
    worker.next("invokefunction");
    worker.close();
    FunctionException e = assertInstanceOf(FunctionException.class, assertThrows(Exception.class, call::await));
    assertEquals("invocation_stopped", e.code());
    assertEquals("Invocation stopped", e.getMessage());
  }

  @Test
  void reattachWithTheTokenRetiresThePreviousConnection() throws Exception {
    RawWorker old = RawWorker.connect(vertx, port);
    JsonObject registered = old.next("workerregistered");
    old.send(registerFunction("f"));
    old.send(registerTrigger("t-1", "stream", "f", new JsonObject().put("stream_name", "s")));
    sync(old);
    Future<FunctionResult> owed = functions.call("f", 1);
    old.next("invokefunction");
    try (RawWorker fresh = worker()) {
      fresh.send(new JsonObject().put("type", "reattach").put("previous_worker_id", registered.getString("worker_id"))
          .put("reattach_token", registered.getString("reattach_token")));
      sync(fresh);
      assertTrue(old.awaitClosed(RawWorker.WAIT_MS), "the previous connection is closed");
      assertEquals("invocation_stopped",
          assertInstanceOf(FunctionException.class, assertThrows(Exception.class, owed::await)).code());
      assertFunctionNotFound("f");
      // The replay lands on a clean slate: one trigger, one call.
      fresh.send(registerFunction("f"));
      fresh.send(registerTrigger("t-1", "stream", "f", new JsonObject().put("stream_name", "s")));
      fresh.send(invoke(uuid(), "stream::set", set("s", "g", "i", 1)));
      var frames = nextByType(fresh, 2);
      fresh.send(result(frames.get("invokefunction"), null));
      fresh.expectSilence(300);
    }
  }

  @Test
  void reattachWithAWrongTokenIsIgnored() throws Exception {
    try (RawWorker old = RawWorker.connect(vertx, port); RawWorker fresh = worker()) {
      JsonObject registered = old.next("workerregistered");
      old.send(registerFunction("f"));
      sync(old);
      fresh.send(new JsonObject().put("type", "reattach").put("previous_worker_id", registered.getString("worker_id"))
          .put("reattach_token", uuid()));
      fresh.send(new JsonObject().put("type", "reattach").put("previous_worker_id", registered.getString("worker_id")));
      sync(fresh);
      Future<FunctionResult> call = functions.call("f", 1);
      old.send(result(old.next("invokefunction"), "still here"));
      assertEquals("still here", call.await().value());
    }
  }

  private void assertFunctionNotFound(String id) {
    FunctionException e = assertInstanceOf(FunctionException.class,
        assertThrows(Exception.class, () -> functions.call(id, 1).await()));
    assertEquals("function_not_found", e.code());
  }
}
