package io.streamnode.worker;

import io.streamnode.function.FunctionResult;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A worker cannot register a function the node serves itself ({@code stream::set}, {@code publish},
 * {@code streamnode::presence}): otherwise the event bus would hand every other call of it to the
 * worker. The registration is ignored and every call keeps reaching the node; the worker's own
 * functions work as usual (the positive control).
 */
class NodeFunctionIdsTest extends WorkerTestBase {

  @Test
  void aWorkerRegisteringABuiltInFunctionIsIgnoredAndEveryCallStillReachesTheNode() throws Exception {
    try (RawWorker w = worker()) {
      w.send(registerFunction("stream::set")).send(registerFunction("publish"))
          .send(registerFunction("streamnode::presence")).send(registerFunction("w::own"));
      sync(w);
      for (int i = 0; i < 10; i++) {
        FunctionResult set = functions.call("stream::set", new JsonObject().put("stream_name", "s").put("group_id", "g")
            .put("item_id", "i").put("data", i)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(i, ((JsonObject) set.value()).getInteger("new_value"), "the node's stream::set answered call " + i);
      }
      // Positive control: the worker's own function reaches it (and nothing before it did).
      var own = functions.call("w::own", new JsonObject().put("x", 1));
      JsonObject call = w.next("invokefunction");
      assertEquals("w::own", call.getString("function_id"), "the first call the worker got is its own function's");
      w.send(result(call, new JsonObject().put("ok", true)));
      assertEquals(new JsonObject().put("ok", true),
          own.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).value());
    }
  }

  @Test
  void theJavaWorkerApiRefusesABuiltInFunctionWithAClearError() throws Exception {
    io.streamnode.api.Worker api = io.streamnode.api.Worker.create(vertx);
    var refused = api.registerFunction("stream::get", input -> io.vertx.core.Future.succeededFuture(FunctionResult.NONE));
    Throwable cause = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> refused.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).getCause();
    assertEquals(IllegalArgumentException.class, cause.getClass(), String.valueOf(cause));
    FunctionResult get = functions.call("stream::get", new JsonObject().put("stream_name", "s").put("group_id", "g")
        .put("item_id", "none")).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(FunctionResult.NONE.present(), get.present(), "the node's stream::get still answers");
    api.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
