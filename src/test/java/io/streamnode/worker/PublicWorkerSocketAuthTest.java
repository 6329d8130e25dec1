package io.streamnode.worker;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.LogLines;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.streamnode.worker.WorkerTestBase.registerFunction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who gets onto the public worker socket: every upgrade asks {@code rbac.auth_function_id}, and
 * anything but a well-formed result (no token, a wrong one, a failing, slow or silent auth
 * function, no auth worker at all) refuses the connection, fail-closed as iii: an
 * {@code error} frame with {@code AUTH_ERROR}, then a close. Nothing the refused client sent is
 * ever handled.
 */
class PublicWorkerSocketAuthTest extends PublicWorkerTestBase {

  /** The first frame is the refusal (no {@code workerregistered}), then the node closes with 1008. */
  private static JsonObject expectRefused(RawWorker client) throws InterruptedException {
    JsonObject frame = client.next();
    assertEquals("error", frame.getString("type"), () -> "expected a refusal, got " + frame);
    assertEquals("AUTH_ERROR", frame.getJsonObject("error").getString("code"));
    assertTrue(client.awaitClosed(RawWorker.WAIT_MS), "the refused connection was not closed");
    assertEquals((short) 1008, client.closeStatus());
    return frame.getJsonObject("error");
  }

  @Test
  void withoutATokenTheConnectionGetsAnAuthErrorAndIsClosed() throws Exception {
    try (RawWorker client = connectPublic("")) {
      JsonObject error = expectRefused(client);
      assertTrue(error.getString("message").contains("bad or missing token"), error::encode);
    }
  }

  @Test
  void aWrongTokenIsRefusedAndTheRightOneLetsTheSameClientIn() throws Exception {
    try (RawWorker wrong = connectPublic("token=bad")) {
      expectRefused(wrong);
    }
    try (RawWorker right = connectPublic(GOOD)) {
      assertEquals("workerregistered", right.next().getString("type"));
    }
  }

  @Test
  void anAuthFunctionThatFailsRefusesTheConnection() throws Exception {
    auth = input -> Future.failedFuture(new FunctionException(ErrorCode.INVOCATION_FAILED, "auth backend down"));
    try (RawWorker client = connectPublic(GOOD)) {
      assertTrue(expectRefused(client).getString("message").contains("auth backend down"));
    }
  }

  @Test
  void anAuthFunctionThatDoesNotAnswerInTimeRefusesTheConnection() throws Exception {
    auth = input -> Promise.<FunctionResult>promise().future();
    long start = System.nanoTime();
    try (RawWorker client = connectPublic(GOOD)) {
      JsonObject error = expectRefused(client);
      assertTrue(error.getString("message").contains("timed out"), error::encode);
      assertTrue((System.nanoTime() - start) / 1_000_000 >= CALL_TIMEOUT_MS - 50, "refused before limits.call_timeout_ms");
    }
  }

  @Test
  void anAuthFunctionWithNoResultOrANullOneRefusesTheConnection() throws Exception {
    for (FunctionResult answer : List.of(FunctionResult.NONE, FunctionResult.NULL)) {
      auth = input -> Future.succeededFuture(answer);
      try (RawWorker client = connectPublic(GOOD)) {
        assertEquals("auth function returned no result", expectRefused(client).getString("message"));
      }
    }
  }

  @Test
  void anAuthResultOfTheWrongShapeRefusesTheConnection() throws Exception {
    for (Object answer : List.of("yes", new JsonObject().put("allowed_functions", "stream::set"),
        new JsonObject().put("allow_function_registration", "sure"))) {
      auth = input -> Future.succeededFuture(FunctionResult.of(answer));
      try (RawWorker client = connectPublic(GOOD)) {
        expectRefused(client);
      }
    }
  }

  @Test
  void withNoWorkerServingTheAuthFunctionEveryoneIsRefused() throws Exception {
    Bounded.await(app.unregisterFunction(AUTH), WAIT_S);
    try (RawWorker client = connectPublic(GOOD)) {
      assertTrue(expectRefused(client).getString("message").contains("not found"));
    }
  }

  @Test
  void theAuthFunctionGetsHeadersQueryParametersAndTheAddress() throws Exception {
    try (RawWorker client = connectPublic(GOOD + "&room=a%20b&room=c&flag",
        Map.of("X-Session", "s-1", "Origin", "https://app.example"))) {
      assertEquals("workerregistered", client.next().getString("type"));
    }
    JsonObject input = authInputs.get(authInputs.size() - 1);
    assertEquals(new JsonObject().put("token", new JsonArray().add("good"))
            .put("room", new JsonArray().add("a%20b").add("c")).put("flag", new JsonArray().add("")),
        input.getJsonObject("query_params"));
    assertEquals("s-1", input.getJsonObject("headers").getString("x-session"));
    assertEquals("https://app.example", input.getJsonObject("headers").getString("origin"));
    assertEquals("127.0.0.1", input.getString("ip_address"));
    assertEquals(3, input.size(), input::encode);
  }

  @Test
  void framesSentBeforeARefusalAreNeverHandled() throws Exception {
    // The decision takes a while: the intruder's registration is surely in before it.
    auth = input -> {
      Promise<FunctionResult> later = Promise.promise();
      vertx.setTimer(300, t -> later.fail(new FunctionException(ErrorCode.UNAUTHORIZED, "no")));
      return later.future();
    };
    try (RawWorker intruder = connectPublic("token=bad")) {
      intruder.send(registerFunction("intruder::fn"));
      expectRefused(intruder);
    }
    assertEquals("function_not_found", failureCode("intruder::fn", new JsonObject()));
    // Positive control: the same frames from an accepted client, after the same wait, do register.
    auth = input -> {
      Promise<FunctionResult> later = Promise.promise();
      vertx.setTimer(300, t -> later.complete(FunctionResult.of(new JsonObject())));
      return later.future();
    };
    try (RawWorker accepted = connectPublic(GOOD)) {
      accepted.send(registerFunction("accepted::fn"));
      accepted.next("workerregistered");
      sync(accepted);
      Future<FunctionResult> call = functions.call("accepted::fn", new JsonObject());
      JsonObject invoke = accepted.next("invokefunction");
      accepted.send(WorkerTestBase.result(invoke, "hi"));
      assertEquals("hi", Bounded.await(call, WAIT_S).value());
    }
  }

  @Test
  void eachRefusalIsLoggedWithTheRemoteAddress() throws Exception {
    List<String> lines;
    try (LogLines logged = LogLines.of(WorkerSocketVerticle.class.getName());
         RawWorker client = connectPublic("token=bad")) {
      lines = logged.messages();
      expectRefused(client);
    }
    assertEquals(1, lines.stream().filter(l -> l.startsWith("public worker socket: refused 127.0.0.1")
        && l.contains("AUTH_ERROR")).count(), lines::toString);
  }

  @Test
  void aPageOfAnyOriginMayTryByDefaultWhileThePrivateSocketRefusesIt() throws Exception {
    Map<String, String> page = Map.of("Origin", "https://any-site.example");
    try (RawWorker client = connectPublic(GOOD, page)) {
      assertEquals("workerregistered", client.next().getString("type"));
    }
    io.vertx.core.http.UpgradeRejectedException refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.vertx.core.http.UpgradeRejectedException.class, () -> RawWorker.connect(vertx, node.workerSocketPort(), "/", page));
    assertEquals(403, refused.getStatus());
  }
}
