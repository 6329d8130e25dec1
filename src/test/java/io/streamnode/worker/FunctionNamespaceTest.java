package io.streamnode.worker;

import io.streamnode.config.NodeOptions;
import io.streamnode.store.StoreAddresses;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Functions are not event-bus addresses: the node's internal addresses ({@code streamnode.*})
 * answer {@code function_not_found} over HTTP and from workers, exactly like an unknown id, and
 * calling them changes nothing.
 */
class FunctionNamespaceTest extends WorkerTestBase {

  private static final List<String> INTERNAL = List.of(TriggerAddresses.REGISTER, TriggerAddresses.UNREGISTER,
      TriggerAddresses.JOIN, TriggerAddresses.LEAVE, StoreAddresses.SNAPSHOT, StoreAddresses.POSITION, StoreAddresses.RECOVER, StoreAddresses.CUSTOM_IMPLEMENTATIONS,
      StoreAddresses.TRIGGER_EVENTS);

  @Override
  protected NodeOptions options() {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setEnabled(true).setPort(0);
    return options;
  }

  private Buffer http(String functionId, JsonObject input) throws Exception {
    HttpFunctions client = HttpFunctions.create(vertx, node.httpPort());
    try {
      return client.raw(functionId, input).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  @Test
  void internalAddressesAnswerFunctionNotFoundOverHttpLikeAnUnknownId() throws Exception {
    for (String address : INTERNAL) {
      JsonObject error = new JsonObject(http(address, new JsonObject()).toString()).getJsonObject("error");
      assertEquals(new JsonObject().put("code", "function_not_found").put("message", "Function " + address + " not found"),
          error, address);
    }
  }

  @Test
  void triggersRegisterOverHttpAddsNoTrigger() throws Exception {
    try (RawWorker w = worker()) {
      w.send(registerFunction("ns::handler"));
      sync(w);
      JsonObject trigger = new JsonObject().put("id", "sneaky").put("trigger_type", "stream")
          .put("function_id", "ns::handler").put("config", new JsonObject().put("stream_name", "ns"));
      assertEquals("function_not_found",
          new JsonObject(http(TriggerAddresses.REGISTER, trigger).toString()).getJsonObject("error").getString("code"));
      // A control trigger registered after the attempt: one event's triggers run in registration
      // order, so had the sneaky one been registered, its call would come first.
      w.send(registerFunction("ns::control"))
          .send(registerTrigger("ns-control", "stream", "ns::control", new JsonObject().put("stream_name", "ns")));
      sync(w);
      http("stream::set", new JsonObject().put("stream_name", "ns").put("group_id", "g").put("item_id", "i").put("data", 1));
      JsonObject call = w.next("invokefunction");
      assertEquals("ns::control", call.getString("function_id"), "the trigger registered over HTTP fired");
      w.send(noResult(call));
    }
  }

  @Test
  void customImplementationsCannotBeTurnedOffOverHttp() throws Exception {
    String id = "stream::get(ns-custom)";
    try (RawWorker w = worker()) {
      w.send(registerFunction(id));
      sync(w);
      http(StoreAddresses.CUSTOM_IMPLEMENTATIONS, new JsonObject().put("id", id).put("registered", false));
      Thread.sleep(200);
      // Still delegated to the worker: the call reaches it.
      new Thread(() -> {
        try {
          http("stream::get", new JsonObject().put("stream_name", "ns-custom").put("group_id", "g").put("item_id", "i"));
        } catch (Exception ignored) {
          // the answer does not matter here
        }
      }).start();
      JsonObject call = w.next("invokefunction");
      assertEquals(id, call.getString("function_id"));
      w.send(result(call, null));
    }
  }

  @Test
  void internalAddressesAnswerFunctionNotFoundToWorkers() throws Exception {
    try (RawWorker w = worker()) {
      for (String address : INTERNAL) {
        JsonObject invoke = invoke(uuid(), address, new JsonObject());
        w.send(invoke);
        JsonObject reply = w.next("invocationresult");
        assertEquals("function_not_found", reply.getJsonObject("error").getString("code"), address);
        assertEquals("Function " + address + " not found", reply.getJsonObject("error").getString("message"));
      }
    }
  }

  @Test
  void aWorkerRegisteringAnInternalAddressGetsAFunctionNotTheService() throws Exception {
    try (RawWorker w = worker()) {
      // A worker may name its function anything; it lives in the function namespace, beside the
      // trigger registry rather than in front of it.
      w.send(registerFunction(TriggerAddresses.REGISTER));
      sync(w);
      new Thread(() -> {
        try {
          http(TriggerAddresses.REGISTER, new JsonObject());
        } catch (Exception ignored) {
          // the answer does not matter here
        }
      }).start();
      JsonObject call = w.next("invokefunction");
      assertEquals(TriggerAddresses.REGISTER, call.getString("function_id"));
      w.send(result(call, new JsonObject()));
      // The real registry still works for this worker.
      w.send(registerTrigger("t1", "stream", TriggerAddresses.REGISTER, new JsonObject().put("stream_name", "ns2")));
      sync(w);
    }
  }
}
