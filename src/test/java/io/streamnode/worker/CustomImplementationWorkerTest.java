package io.streamnode.worker;

import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker registers a custom stream implementation as iii's SDKs do, with
 * {@code registerfunction} of {@code stream::<op>(<stream_name>)}: the built-in function of that
 * op and stream then calls the worker, from the very next frame on, until the worker
 * unregisters it or goes away.
 */
class CustomImplementationWorkerTest extends WorkerTestBase {

  private static JsonObject item(String stream, String item) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", item);
  }

  @Test
  void eachOfTheSixFunctionsIsServedByTheWorkerFunctionOfItsId() throws Exception {
    try (RawWorker worker = worker()) {
      for (String op : new String[] {"set", "get", "delete", "list", "list_groups", "update"}) {
        worker.send(registerFunction("stream::" + op + "(orders)"));
      }
      sync(worker);
      Map<String, JsonObject> inputs = Map.of(
          "set", item("orders", "o1").put("data", new JsonObject().put("status", "open")),
          "get", item("orders", "o1"),
          "delete", item("orders", "o1"),
          "list", new JsonObject().put("stream_name", "orders").put("group_id", "g"),
          "list_groups", new JsonObject().put("stream_name", "orders"),
          "update", item("orders", "o1").put("ops", new JsonArray().add(new JsonObject().put("type", "increment")
              .put("path", "n").put("by", 1))));
      Map<String, Object> answers = Map.of(
          "set", new JsonObject().put("old_value", (Object) null).put("new_value", new JsonObject().put("status", "open")),
          "get", new JsonObject().put("status", "open"),
          "delete", new JsonObject().put("old_value", new JsonObject().put("status", "open")),
          "list", new JsonArray().add(new JsonObject().put("status", "open")),
          "list_groups", new JsonArray().add("g"),
          "update", new JsonObject().put("old_value", (Object) null).put("new_value", new JsonObject().put("n", 1)));
      for (String op : inputs.keySet()) {
        Future<FunctionResult> call = functions.call("stream::" + op, inputs.get(op));
        JsonObject invoke = worker.next("invokefunction");
        assertEquals("stream::" + op + "(orders)", invoke.getString("function_id"));
        assertEquals(inputs.get(op).encode(), invoke.getJsonObject("data").encode(), op);
        worker.send(result(invoke, answers.get(op)));
        assertEquals(answers.get(op), call.await().value(), op);
      }
    }
  }

  @Test
  void aCallSentRightAfterTheRegistrationIsDelegated() throws Exception {
    try (RawWorker worker = worker()) {
      // No round trip in between: the node handles one connection's frames in order.
      worker.send(registerFunction("stream::set(orders)"));
      String callId = uuid();
      worker.send(invoke(callId, "stream::set", item("orders", "o1").put("data", 1)));
      JsonObject invoke = worker.next("invokefunction");
      assertEquals("stream::set(orders)", invoke.getString("function_id"));
      assertEquals(item("orders", "o1").put("data", 1).encode(), invoke.getJsonObject("data").encode(),
          "iii's input, without the _caller_worker_id the node adds to the worker's own call");
      worker.send(result(invoke, new JsonObject().put("old_value", 0).put("new_value", 1)));
      JsonObject answer = worker.next("invocationresult");
      assertEquals(callId, answer.getString("invocation_id"));
      assertEquals(new JsonObject().put("old_value", 0).put("new_value", 1), answer.getJsonObject("result"));
    }
  }

  @Test
  void aWorkerErrorFailsAWriteWithItsCodeAndPassesThroughForARead() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("stream::set(orders)")).send(registerFunction("stream::get(orders)"));
      sync(worker);
      Future<FunctionResult> set = functions.call("stream::set", item("orders", "o1").put("data", 1));
      worker.send(error(worker.next("invokefunction"), "invocation_failed", "disk full"));
      FunctionException setError = assertThrows(FunctionException.class, set::await);
      assertEquals("STREAM_SET_ERROR", setError.code());
      assertEquals("Failed to set value: Failed to invoke function: ErrorBody { code: \"invocation_failed\", "
          + "message: \"disk full\", stacktrace: None }", setError.getMessage());

      Future<FunctionResult> get = functions.call("stream::get", item("orders", "o1"));
      worker.send(error(worker.next("invokefunction"), "NOT_HERE", "no such order"));
      FunctionException getError = assertThrows(FunctionException.class, get::await);
      assertEquals("NOT_HERE", getError.code());
      assertEquals("no such order", getError.getMessage());
    }
  }

  @Test
  void unregisteringOrDisconnectingGivesTheStreamBackToTheAdapter() throws Exception {
    RawWorker worker = worker();
    worker.send(registerFunction("stream::set(orders)")).send(registerFunction("stream::get(orders)"));
    worker.send(unregisterFunction("stream::set(orders)"));
    sync(worker);
    assertEquals(new JsonObject().put("old_value", (Object) null).put("new_value", "stored"),
        functions.call("stream::set", item("orders", "o1").put("data", "stored")).await().value());

    worker.close();
    // The node learns of the close asynchronously; until then a get still reaches the worker's
    // (closing) connection and fails with invocation_stopped, or finds no handler and falls back.
    long deadline = System.currentTimeMillis() + 20_000;
    Object value = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        value = functions.call("stream::get", item("orders", "o1")).await().value();
        break;
      } catch (FunctionException stillClosing) {
        Thread.sleep(20);
      }
    }
    assertEquals("stored", value);
  }

  @Test
  void aTakeoverByAnotherWorkerKeepsTheStreamDelegatedAfterTheFirstLeaves() throws Exception {
    try (RawWorker second = worker()) {
      RawWorker first = worker();
      first.send(registerFunction("stream::get(orders)"));
      sync(first);
      second.send(registerFunction("stream::get(orders)"));
      sync(second);
      first.close();
      // The node learns of the close asynchronously: until it has, a get may still reach the
      // closing first connection and fail with invocation_stopped; retry those. A get answered
      // without calling the second worker means the stream fell back to the adapter: a failure.
      long deadline = System.currentTimeMillis() + 20_000;
      while (true) {
        Future<FunctionResult> get = functions.call("stream::get", item("orders", "o1"));
        JsonObject invoke = second.poll(get);
        if (invoke != null) {
          second.send(result(invoke, "from the second worker"));
          assertEquals("from the second worker", get.timeout(20, java.util.concurrent.TimeUnit.SECONDS).await().value());
          return;
        }
        FunctionException stillClosing = assertThrows(FunctionException.class, get::await,
            "the get was answered without the second worker, which still serves the stream");
        assertEquals("invocation_stopped", stillClosing.code());
        assertTrue(System.currentTimeMillis() < deadline, "the node never noticed the first worker left");
      }
    }
  }
}
