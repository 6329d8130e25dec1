package io.streamnode.worker;

import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Calls made by a worker (WIRE.md 4.7): with an {@code invocation_id} they are answered with
 * {@code invocationresult}; without one, or with {@code action:void}, never.
 */
class WorkerInvokeTest extends WorkerTestBase {

  @Test
  void aSynchronousCallIsAnsweredWithItsResult() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id, "stream::set", set("presence", "room-1", "u1", new JsonObject().put("online", true)))
          .put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").put("baggage", "k=v"));
      JsonObject reply = worker.next("invocationresult");
      assertEquals(new JsonObject().put("type", "invocationresult").put("invocation_id", id)
          .put("function_id", "stream::set").put("result", new JsonObject().put("old_value", null)
              .put("new_value", new JsonObject().put("online", true))), reply);
    }
  }

  @Test
  void noResultOmitsTheResultKey() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id, "stream::get", new JsonObject().put("stream_name", "s").put("group_id", "g")
          .put("item_id", "missing")));
      assertEquals(new JsonObject().put("type", "invocationresult").put("invocation_id", id)
          .put("function_id", "stream::get"), worker.next("invocationresult"));
    }
  }

  @Test
  void anUnknownFunctionIsFunctionNotFound() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id, "nobody::home", new JsonObject()));
      JsonObject reply = worker.next("invocationresult");
      assertEquals(id, reply.getString("invocation_id"));
      assertFalse(reply.containsKey("result"));
      assertEquals(new JsonObject().put("code", "function_not_found").put("message", "Function nobody::home not found"),
          reply.getJsonObject("error"));
    }
  }

  @Test
  void aFailedCallCarriesTheFunctionsError() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id, "stream::set", new JsonObject().put("stream_name", "s")));
      JsonObject error = worker.next("invocationresult").getJsonObject("error");
      assertEquals("deserialization_error", error.getString("code"), error.encode());
    }
  }

  @Test
  void voidAndIdLessCallsRunButAreNeverAnswered() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(invokeVoid("stream::set", set("s", "g", "a", 1)));
      worker.send(invoke(null, "stream::set", set("s", "g", "b", 2)));
      // A void frame that carries an id is still not answered, as in iii.
      worker.send(invokeVoid("stream::set", set("s", "g", "c", 3)).put("invocation_id", uuid()));
      worker.send(invokeVoid("nobody::home", new JsonObject()));
      worker.send(invokeVoid("publish", new JsonObject().put("topic", "")));
      sync(worker);
      worker.expectSilence(200);
      String id = uuid();
      worker.send(invoke(id, "stream::list", new JsonObject().put("stream_name", "s").put("group_id", "g")));
      assertEquals(3, worker.next("invocationresult").getJsonArray("result").size());
    }
  }

  @Test
  void engineWorkersRegisterIsAcceptedSilently() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(invokeVoid("engine::workers::register", new JsonObject().put("runtime", "node").put("version", "0.22.1")
          .put("name", "test-worker").put("pid", 1).put("isolation", null)));
      sync(worker);
      worker.expectSilence(100);
      String id = uuid();
      worker.send(invoke(id, "engine::workers::register", new JsonObject().put("name", "w")));
      assertEquals(new JsonObject().put("type", "invocationresult").put("invocation_id", id)
          .put("function_id", "engine::workers::register"), worker.next("invocationresult"));
    }
  }

  @Test
  void theCallerWorkerIdIsAddedToObjectInputs() throws Exception {
    BlockingQueue<Object> seen = new ArrayBlockingQueue<>(4);
    functions.register("java::echo", input -> {
      seen.add(input);
      return Future.succeededFuture(FunctionResult.of("ok"));
    }).completion().await();
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      String workerId = worker.next("workerregistered").getString("worker_id");
      worker.send(invoke(uuid(), "java::echo", new JsonObject().put("a", 1)));
      worker.next("invocationresult");
      assertEquals(new JsonObject().put("a", 1).put("_caller_worker_id", workerId), seen.poll(5, TimeUnit.SECONDS));
      worker.send(invoke(uuid(), "java::echo", "text"));
      worker.next("invocationresult");
      assertEquals("text", seen.poll(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void missingDataIsReadAsNull() throws Exception {
    BlockingQueue<String> seen = new ArrayBlockingQueue<>(1);
    functions.register("java::null", input -> {
      seen.add(String.valueOf(input));
      return Future.succeededFuture(FunctionResult.NONE);
    }).completion().await();
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(new JsonObject().put("type", "invokefunction").put("invocation_id", id).put("function_id", "java::null"));
      assertEquals(id, worker.next("invocationresult").getString("invocation_id"));
      assertEquals("null", seen.poll(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void enqueueIsRefusedWithEnqueueError() throws Exception {
    try (RawWorker worker = worker()) {
      String id = uuid();
      worker.send(invoke(id, "stream::set", set("s", "g", "i", 1))
          .put("action", new JsonObject().put("type", "enqueue").put("queue", "jobs")));
      JsonObject reply = worker.next("invocationresult");
      assertNotNull(reply.getJsonObject("error"), reply.encode());
      assertEquals("enqueue_error", reply.getJsonObject("error").getString("code"));
    }
  }
}
