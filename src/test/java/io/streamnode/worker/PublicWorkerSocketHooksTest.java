package io.streamnode.worker;

import io.streamnode.config.NodeOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.Bounded;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.streamnode.worker.WorkerTestBase.registerFunction;
import static io.streamnode.worker.WorkerTestBase.registerTrigger;
import static io.streamnode.worker.WorkerTestBase.result;
import static io.streamnode.worker.WorkerTestBase.set;
import static io.streamnode.worker.WorkerTestBase.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The registration hooks of the public worker socket (iii's
 * {@code on_function_registration_function_id} / {@code on_trigger_registration_function_id}): the
 * application keeps a browser's registrations inside its own namespace and its own group. A hook
 * that fails drops the registration silently; an object result replaces the fields it names. The
 * hooks answer after a delay, and the client's next frames wait for them, in order.
 */
class PublicWorkerSocketHooksTest extends PublicWorkerTestBase {

  private static final String ON_FUNCTION = "app::on_function";
  private static final String ON_TRIGGER = "app::on_trigger";
  private final List<JsonObject> hookInputs = new CopyOnWriteArrayList<>();

  @Override
  protected JsonObject grants() {
    return new JsonObject().put("context", new JsonObject().put("user", "alice"));
  }

  @Override
  protected NodeOptions options() {
    NodeOptions options = super.options();
    options.getPublicWorkerSocket().getRbac().setOnFunctionRegistrationFunctionId(ON_FUNCTION)
        .setOnTriggerRegistrationFunctionId(ON_TRIGGER);
    return options;
  }

  @BeforeEach
  void serveHooks() {
    // Functions only inside ui::, tagged with their owner.
    Bounded.await(app.registerFunction(ON_FUNCTION, input -> later(() -> {
      JsonObject in = (JsonObject) input;
      hookInputs.add(in);
      if (!in.getString("function_id").startsWith("ui::")) {
        throw new FunctionException(ErrorCode.INVOCATION_FAILED, "outside ui::");
      }
      return new JsonObject().put("metadata", new JsonObject().put("owner", in.getJsonObject("context").getString("user")));
    })), WAIT_S);
    // Stream triggers only on the user's own group, whatever group the page asked for.
    Bounded.await(app.registerFunction(ON_TRIGGER, input -> later(() -> {
      JsonObject in = (JsonObject) input;
      hookInputs.add(in);
      return new JsonObject().put("config", in.getJsonObject("config").copy()
          .put("group_id", in.getJsonObject("context").getString("user")));
    })), WAIT_S);
  }

  /** Answers after 150 ms, so the hook is still pending when the client's next frame arrives. */
  private Future<FunctionResult> later(java.util.function.Supplier<JsonObject> answer) {
    Promise<FunctionResult> promise = Promise.promise();
    vertx.setTimer(150, t -> {
      try {
        promise.complete(FunctionResult.of(answer.get()));
      } catch (FunctionException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  @Test
  void aFunctionOutsideTheAppsNamespaceIsDroppedSilentlyAndOneInsideIsServed() throws Exception {
    try (RawWorker page = publicWorker()) {
      page.send(registerFunction("admin::takeover"));
      page.send(registerFunction("ui::ok").put("description", "mine"));
      sync(page);
      page.expectSilence(100);
    }
    assertEquals("function_not_found", failureCode("admin::takeover", new JsonObject()));
    JsonObject first = hookInputs.get(0);
    assertEquals("admin::takeover", first.getString("function_id"));
    assertEquals(new JsonObject().put("user", "alice"), first.getJsonObject("context"));
    assertEquals("mine", hookInputs.get(1).getString("description"));
  }

  @Test
  void aHookRunsBeforeTheFramesAfterItAndItsMappingApplies() throws Exception {
    try (RawWorker page = publicWorker()) {
      // Sent back to back: the trigger must not be applied before its function (whose hook is slow).
      page.send(registerFunction("ui::on_doc"));
      page.send(registerTrigger(uuid(), "stream", "ui::on_doc",
          new JsonObject().put("stream_name", "docs").put("group_id", "bob")));
      sync(page);
      // The hook moved the trigger to alice's group: bob's writes never reach the page, alice's do.
      httpCall("stream::set", set("docs", "bob", "d1", "bob's"));
      httpCall("stream::set", set("docs", "alice", "d2", "alice's"));
      JsonObject event = page.next("invokefunction");
      assertEquals("ui::on_doc", event.getString("function_id"));
      assertEquals("alice", event.getJsonObject("data").getString("groupId"));
      page.send(result(event, null));
      page.expectSilence(300);
    }
    JsonObject triggerHook = hookInputs.get(1);
    assertEquals("stream", triggerHook.getString("trigger_type"));
    assertEquals("ui::on_doc", triggerHook.getString("function_id"));
    assertEquals("bob", triggerHook.getJsonObject("config").getString("group_id"));
  }

  @Test
  void metadataGivenByTheHookIsWhatExposeFunctionsSees() throws Exception {
    // expose_functions has {metadata: {public: true}}; the hook replaces the page's metadata, so a
    // page claiming public: true does not get its function exposed to other clients.
    try (RawWorker page = publicWorker(); RawWorker other = publicWorker()) {
      page.send(registerFunction("ui::claims_public").put("metadata", new JsonObject().put("public", true)));
      sync(page);
      String call = uuid();
      other.send(WorkerTestBase.invoke(call, "ui::claims_public", null));
      assertEquals("FORBIDDEN", errorOf(other, call).getString("code"));
      page.expectSilence(100);
    }
  }
}
