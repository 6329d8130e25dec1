package io.streamnode.worker;

import io.streamnode.function.FunctionResult;
import io.streamnode.testing.Bounded;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static io.streamnode.worker.WorkerTestBase.invoke;
import static io.streamnode.worker.WorkerTestBase.invokeVoid;
import static io.streamnode.worker.WorkerTestBase.result;
import static io.streamnode.worker.WorkerTestBase.set;
import static io.streamnode.worker.WorkerTestBase.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What a public client may call (iii's RBAC order): never a function in its
 * {@code forbidden_functions}; a function in its {@code allowed_functions}; iii's infrastructure
 * ids; a function matched by {@code expose_functions} ({@code match("stream::list")},
 * {@code match("public::*")}, {@code {metadata: {public: true}}} here); nothing else. A denied call
 * is answered {@code FORBIDDEN} and reaches nothing. Grants per test: see {@link #grants()}.
 */
class PublicWorkerSocketCallsTest extends PublicWorkerTestBase {

  private volatile JsonObject grants = new JsonObject();
  private final AtomicInteger secretCalls = new AtomicInteger();

  @Override
  protected JsonObject grants() {
    return grants;
  }

  private void servePublicFunctions() {
    Bounded.await(app.registerFunction("public::echo", input -> Future.succeededFuture(FunctionResult.of(input))), WAIT_S);
    Bounded.await(app.registerFunction("public::secret", input -> {
      secretCalls.incrementAndGet();
      return Future.succeededFuture(FunctionResult.of("secret"));
    }), WAIT_S);
  }

  private static JsonObject answer(RawWorker worker, String invocationId) throws InterruptedException {
    return worker.next(f -> "invocationresult".equals(f.getString("type")) && invocationId.equals(f.getString("invocation_id")));
  }

  @Test
  void callsToExposedFunctionsAreAnswered() throws Exception {
    servePublicFunctions();
    httpCall("stream::set", set("scores", "g", "a", 1));
    try (RawWorker client = publicWorker()) {
      String list = uuid();
      client.send(invoke(list, "stream::list", new JsonObject().put("stream_name", "scores").put("group_id", "g")));
      assertEquals(new JsonArray().add(1), answer(client, list).getValue("result"));
      String echo = uuid();
      client.send(invoke(echo, "public::echo", new JsonObject().put("hello", "page")));
      assertEquals("page", answer(client, echo).getJsonObject("result").getString("hello"));
    }
  }

  @Test
  void aCallToAFunctionNotExposedGetsForbiddenAndChangesNothing() throws Exception {
    try (RawWorker client = publicWorker()) {
      // Positive control: an exposed call goes through right before.
      String allowed = uuid();
      client.send(invoke(allowed, "stream::list", new JsonObject().put("stream_name", "vault").put("group_id", "g")));
      assertNull(answer(client, allowed).getValue("error"));
      String denied = uuid();
      client.send(invoke(denied, "stream::set", set("vault", "g", "gold", 100)));
      JsonObject error = errorOf(client, denied);
      assertEquals("FORBIDDEN", error.getString("code"));
      assertEquals("function 'stream::set' not allowed (add to rbac.expose_functions)", error.getString("message"));
    }
    assertEquals(new JsonArray(), httpCall("stream::list", new JsonObject().put("stream_name", "vault").put("group_id", "g")));
  }

  @Test
  void aDeniedFireAndForgetCallIsAnsweredForbiddenAndChangesNothing() throws Exception {
    try (RawWorker client = publicWorker()) {
      client.send(invokeVoid("stream::set", set("vault", "g", "gold", 100)));
      JsonObject answer = client.next("invocationresult");
      assertEquals("FORBIDDEN", answer.getJsonObject("error").getString("code"));
      assertEquals("stream::set", answer.getString("function_id"));
    }
    assertEquals(new JsonArray(), httpCall("stream::list", new JsonObject().put("stream_name", "vault").put("group_id", "g")));
  }

  @Test
  void forbiddenFunctionsWinOverExposeFunctions() throws Exception {
    servePublicFunctions();
    grants = new JsonObject().put("forbidden_functions", new JsonArray().add("public::secret"));
    try (RawWorker client = publicWorker()) {
      String echo = uuid();
      client.send(invoke(echo, "public::echo", "ok"));
      assertEquals("ok", answer(client, echo).getValue("result"));
      String secret = uuid();
      client.send(invoke(secret, "public::secret", null));
      JsonObject error = errorOf(client, secret);
      assertEquals("FORBIDDEN", error.getString("code"));
      assertEquals("function 'public::secret' not allowed (remove from rbac.forbidden_functions)", error.getString("message"));
    }
    assertEquals(0, secretCalls.get());
  }

  @Test
  void allowedFunctionsGrantWhatExposeFunctionsDoesNot() throws Exception {
    grants = new JsonObject().put("allowed_functions", new JsonArray().add("stream::set"));
    try (RawWorker client = publicWorker()) {
      String write = uuid();
      client.send(invoke(write, "stream::set", set("notes", "g", "n1", "hi")));
      assertNull(answer(client, write).getValue("error"));
      String delete = uuid();
      client.send(invoke(delete, "stream::delete", new JsonObject().put("stream_name", "notes").put("group_id", "g")
          .put("item_id", "n1")));
      assertEquals("FORBIDDEN", errorOf(client, delete).getString("code"));
    }
    assertEquals(new JsonArray().add("hi"), httpCall("stream::list", new JsonObject().put("stream_name", "notes").put("group_id", "g")));
  }

  @Test
  void aMetadataRuleExposesOnlyFunctionsRegisteredWithThatMetadata() throws Exception {
    try (RawWorker backend = privateWorker(); RawWorker client = publicWorker()) {
      backend.send(WorkerTestBase.registerFunction("svc::open").put("metadata", new JsonObject().put("public", true)));
      backend.send(WorkerTestBase.registerFunction("svc::closed").put("metadata", new JsonObject().put("public", false)));
      sync(backend);
      String open = uuid();
      client.send(invoke(open, "svc::open", "x"));
      JsonObject call = backend.next("invokefunction");
      assertEquals("svc::open", call.getString("function_id"));
      backend.send(result(call, "opened"));
      assertEquals("opened", answer(client, open).getValue("result"));
      String closed = uuid();
      client.send(invoke(closed, "svc::closed", "x"));
      assertEquals("FORBIDDEN", errorOf(client, closed).getString("code"));
      backend.expectSilence(200);
    }
  }

  @Test
  void theWorkersOwnRegistrationCallIsAlwaysAllowed() throws Exception {
    try (RawWorker client = publicWorker()) {
      String register = uuid();
      client.send(invoke(register, "engine::workers::register", new JsonObject().put("runtime", "browser")));
      assertNull(answer(client, register).getValue("error"));
    }
  }
}
