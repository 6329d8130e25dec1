package io.streamnode.http;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** POST /functions/{id} maps function results and errors to HTTP statuses and JSON bodies. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class HttpApiTest {

  /**
   * The call timeout of the tests tagged {@value #SHORT_CALL_TIMEOUT}: short, so that the 504 test
   * is quick. The others keep the default: at 500 ms, any call (a cold JIT, a GC pause on a loaded
   * CI machine) may be answered 504 as well.
   */
  private static final long CALL_TIMEOUT_MS = 500;
  private static final String SHORT_CALL_TIMEOUT = "short-call-timeout";

  private HttpClient client;
  /** Where every request is made (see post). */
  private io.vertx.core.Context context;
  private int port;
  private Worker worker;

  record Reply(int status, String body) {
  }

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx, TestInfo test) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setPort(0);
    options.getHttpApi().setPort(0);
    options.getLimits().setMaxBodyBytes(4096);
    if (test.getTags().contains(SHORT_CALL_TIMEOUT)) {
      options.getLimits().setCallTimeoutMs(CALL_TIMEOUT_MS);
    }
    StreamNode.start(vertx, options).onComplete(ctx.succeeding(node -> {
      port = node.httpPort();
      worker = Worker.create(vertx);
      client = vertx.createHttpClient();
      context = vertx.getOrCreateContext();
      ctx.completeNow();
    }));
  }

  /** On one context, as HttpFunctions does (Vert.x 5.0.10 can lose a response's end otherwise). */
  private Future<Reply> post(String path, String body) {
    return io.streamnode.testing.HttpFunctions.on(context, () -> client.request(HttpMethod.POST, port, "127.0.0.1", path)
        .compose(req -> req.putHeader("content-type", "application/json").send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))));
  }

  @Test
  void aSuccessfulCallAnswers200WithTheResultJson(VertxTestContext ctx) {
    post("/functions/stream::set", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":{\"a\":1}}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.status());
          assertEquals("{\"old_value\":null,\"new_value\":{\"a\":1}}", r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void aFunctionWithNoResultAnswers204(VertxTestContext ctx) {
    post("/functions/stream::get", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"nope\"}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(204, r.status());
          assertEquals("", r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void aNullResultAnswers200WithNull(VertxTestContext ctx) {
    post("/functions/stream::send", "{\"stream_name\":\"s\",\"group_id\":\"g\",\"type\":\"t\",\"data\":1}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.status());
          assertEquals("null", r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void malformedJsonAnswers400InvalidJson(VertxTestContext ctx) {
    post("/functions/stream::set", "{\"stream_name\":")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertEquals("invalid_json", new JsonObject(r.body()).getJsonObject("error").getString("code"));
          ctx.completeNow();
        })));
  }

  @Test
  void anUnknownFunctionAnswers404FunctionNotFound(VertxTestContext ctx) {
    post("/functions/nope::nothing", "{}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(404, r.status());
          assertEquals(new JsonObject("{\"error\":{\"code\":\"function_not_found\",\"message\":\"Function nope::nothing not found\"}}"),
              new JsonObject(r.body()));
          ctx.completeNow();
        })));
  }

  @Test
  void aDeserializationErrorAnswers400WithIiisMessage(VertxTestContext ctx) {
    post("/functions/stream::get", "{\"stream_name\":\"s\"}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertEquals(new JsonObject("{\"error\":{\"code\":\"deserialization_error\","
                  + "\"message\":\"Failed to deserialize input for stream::get: missing field `group_id`\"}}"),
              new JsonObject(r.body()));
          ctx.completeNow();
        })));
  }

  @Test
  void aBodyOverTheLimitAnswers413AndTheNodeKeepsServing(VertxTestContext ctx) {
    String big = "{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":\"" + "x".repeat(5000) + "\"}";
    post("/functions/stream::set", big)
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(413, r.status());
            assertEquals("payload_too_large", new JsonObject(r.body()).getJsonObject("error").getString("code"));
          });
          return post("/functions/stream::list_all", "{}");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.status());
          assertEquals("{\"stream\":[],\"count\":0}", r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void healthAnswersOk(VertxTestContext ctx) {
    io.streamnode.testing.HttpFunctions.on(context, () -> client.request(HttpMethod.GET, port, "127.0.0.1", "/health")
        .compose(req -> req.send())
        .compose(HttpClientResponse::body))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertEquals("{\"status\":\"ok\"}", b.toString());
          ctx.completeNow();
        })));
  }

  @Test
  @Tag(SHORT_CALL_TIMEOUT) // with the default (30 s), this test would outlast its own timeout
  void aCallUnansweredWithinCallTimeoutAnswers504Timeout(VertxTestContext ctx) {
    worker.registerFunction("test::never", input -> Promise.<FunctionResult>promise().future())
        .compose(v -> post("/functions/test::never", "{}"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(504, r.status(), r.body());
          assertEquals("timeout", new JsonObject(r.body()).getJsonObject("error").getString("code"), r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void aFailingFunctionAnswers500WithItsCode(VertxTestContext ctx) {
    worker.registerFunction("test::fails", input -> Future.failedFuture(new IllegalStateException("boom")))
        // A custom set that fails: the stream function answers STREAM_SET_ERROR.
        .compose(v -> worker.registerFunction("stream::set(broken)",
            input -> Future.failedFuture(new FunctionException("disk_full", "disk full", 500))))
        .compose(v -> post("/functions/test::fails", "{}"))
        .compose(failed -> post("/functions/stream::set", "{\"stream_name\":\"broken\",\"group_id\":\"g\",\"item_id\":\"i\",\"data\":1}")
            .map(streamError -> List.of(failed, streamError)))
        .onComplete(ctx.succeeding(replies -> ctx.verify(() -> {
          assertEquals(500, replies.get(0).status(), replies.get(0).body());
          assertEquals("invocation_failed", new JsonObject(replies.get(0).body()).getJsonObject("error").getString("code"));
          assertEquals(500, replies.get(1).status(), replies.get(1).body());
          assertEquals("STREAM_SET_ERROR", new JsonObject(replies.get(1).body()).getJsonObject("error").getString("code"));
          ctx.completeNow();
        })));
  }
}
