package io.streamnode.worker;

import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls of a worker's function (WIRE.md 4.4, 4.8): any caller on the event bus reaches the worker
 * as {@code invokefunction} with a fresh UUID, and the worker's {@code invocationresult}
 * completes the call: a result, no result, or an error with the worker's code.
 */
class WorkerFunctionCallTest extends WorkerTestBase {

  @Test
  void aCallBecomesInvokeFunctionAndTheResultCompletesIt() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("orders::total").put("description", "sums").put("metadata", new JsonObject()));
      sync(worker);
      Future<FunctionResult> call = functions.call("orders::total", new JsonObject().put("items", 3));
      JsonObject invoke = worker.next("invokefunction");
      assertEquals("orders::total", invoke.getString("function_id"));
      assertEquals(new JsonObject().put("items", 3), invoke.getJsonObject("data"));
      assertEquals(invoke.getString("invocation_id"), UUID.fromString(invoke.getString("invocation_id")).toString());
      assertFalse(invoke.containsKey("action"), invoke.encode());
      worker.send(result(invoke, new JsonObject().put("total", 42)));
      assertEquals(new JsonObject().put("total", 42), call.await().value());
    }
  }

  @Test
  void everyCallGetsItsOwnInvocationId() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("f"));
      sync(worker);
      Future<FunctionResult> one = functions.call("f", 1);
      Future<FunctionResult> two = functions.call("f", 2);
      JsonObject a = worker.next("invokefunction");
      JsonObject b = worker.next("invokefunction");
      assertFalse(a.getString("invocation_id").equals(b.getString("invocation_id")));
      worker.send(result(b, "second")).send(result(a, "first"));
      assertEquals(a.getValue("data").equals(1) ? "first" : "second", one.await().value());
      assertEquals(b.getValue("data").equals(2) ? "second" : "first", two.await().value());
    }
  }

  @Test
  void anAbsentOrNullResultIsNoResult() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("f"));
      sync(worker);
      Future<FunctionResult> absent = functions.call("f", null);
      JsonObject invoke = worker.next("invokefunction");
      assertTrue(invoke.containsKey("data") && invoke.getValue("data") == null, "data is sent as null: " + invoke.encode());
      worker.send(noResult(invoke));
      assertFalse(absent.await().present());
      // iii reads `result` as Option<Value>: JSON null is None as well.
      Future<FunctionResult> nul = functions.call("f", null);
      worker.send(result(worker.next("invokefunction"), null));
      assertFalse(nul.await().present());
    }
  }

  @Test
  void aWorkerErrorFailsTheCallWithItsCodeAndMessage() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("f"));
      sync(worker);
      Future<FunctionResult> call = functions.call("f", new JsonObject());
      worker.send(error(worker.next("invokefunction"), "invocation_failed", "boom"));
      FunctionException e = assertInstanceOf(FunctionException.class, assertThrows(Exception.class, call::await));
      assertEquals("invocation_failed", e.code());
      assertEquals("boom", e.getMessage());
      // An error object alongside a result: the error wins, as in the SDK and the engine.
      Future<FunctionResult> both = functions.call("f", new JsonObject());
      worker.send(error(worker.next("invokefunction"), "my_code", "custom").put("result", 1));
      FunctionException e2 = assertInstanceOf(FunctionException.class, assertThrows(Exception.class, both::await));
      assertEquals("my_code", e2.code());
    }
  }

  @Test
  void unregisterFunctionMakesItUnknown() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("f"));
      worker.send(unregisterFunction("f"));
      sync(worker);
      FunctionException e = assertInstanceOf(FunctionException.class,
          assertThrows(Exception.class, () -> functions.call("f", 1).await()));
      assertEquals("function_not_found", e.code());
      worker.expectSilence(100);
    }
  }

  @Test
  void aResultForAnUnknownInvocationIsIgnored() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(new JsonObject().put("type", "invocationresult").put("invocation_id", uuid())
          .put("function_id", "x").put("result", 1));
      sync(worker);
      worker.send(registerFunction("f"));
      sync(worker);
      Future<FunctionResult> call = functions.call("f", 1);
      worker.send(result(worker.next("invokefunction"), 2));
      assertEquals(2, call.await().value());
    }
  }
}
