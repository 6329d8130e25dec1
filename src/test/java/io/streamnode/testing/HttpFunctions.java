package io.streamnode.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.Json;

/**
 * Calls functions through a node's HTTP API ({@code POST /functions/{id}}) with a real
 * {@link HttpClient}, as an external client would. One instance holds one connection pool.
 */
public final class HttpFunctions {

  /** A call still unanswered after this long prints what the node and the JVM are doing (see {@link #diagnose}). */
  private static final long DIAGNOSE_AFTER_MS = 20_000;

  private final Vertx vertx;
  private final int port;
  private final HttpClient client;

  /**
   * Every request is made on this one context. Vert.x 5.0.10's client loses a response's end when
   * {@code body()} is asked for on another thread than the connection's after the end has already
   * arrived (eclipse-vertx/vert.x#6038, fixed in later 5.0.x releases): the call then never
   * completes. A test thread is not a Vert.x thread, so each call from it would get a context of
   * its own, on any event loop, while the pooled connection stays on the one it was made on.
   */
  private final Context context;

  private HttpFunctions(Vertx vertx, int port, HttpClient client) {
    this.vertx = vertx;
    this.port = port;
    this.client = client;
    this.context = vertx.getOrCreateContext();
  }

  /** Runs {@code call} on {@link #context}. */
  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> call) {
    return on(context, call);
  }

  /**
   * Runs {@code call} on {@code context} and completes with its result: how a test thread makes
   * HTTP requests with a pooled Vert.x client (see {@link #context} for why).
   */
  public static <T> Future<T> on(Context context, java.util.function.Supplier<Future<T>> call) {
    if (Vertx.currentContext() == context) {
      return call.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(result));
    return result.future();
  }

  /** A client of the HTTP API on {@code 127.0.0.1:port} with up to {@code connections} connections. */
  public static HttpFunctions create(Vertx vertx, int port, int connections) {
    return new HttpFunctions(vertx, port, vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections)));
  }

  /** A client with a single connection: calls are applied in the order they are made. */
  public static HttpFunctions create(Vertx vertx, int port) {
    return create(vertx, port, 1);
  }

  /**
   * Calls a function; completes with its decoded JSON result ({@code null} for 204 or a JSON
   * null), fails on any non-2xx status with the status and body in the message.
   */
  public Future<Object> call(String functionId, Object input) {
    // How far the call got, for the diagnosis of a hang: connection, request written, response head.
    java.util.concurrent.atomic.AtomicReference<String> stage = new java.util.concurrent.atomic.AtomicReference<>(
        "waiting for a pooled connection");
    Future<Object> call = onContext(() -> client.request(HttpMethod.POST, "/functions/" + functionId)
        .compose(req -> {
          stage.set("connection " + req.connection().localAddress() + " -> " + req.connection().remoteAddress()
              + ", sending the request");
          req.exceptionHandler(err -> stage.set(stage.get() + "; request error " + err));
          return req.putHeader("content-type", "application/json").send(Json.encodeToBuffer(input))
              .onComplete(ar -> stage.set(stage.get() + (ar.succeeded() ? "; response head " + ar.result().statusCode()
                  + ", reading the body" : "; send failed " + ar.cause())));
        })
        .compose(resp -> resp.body().compose(body -> {
          if (resp.statusCode() / 100 != 2) {
            return Future.failedFuture(new IllegalStateException(
                functionId + " answered " + resp.statusCode() + ": " + body));
          }
          return Future.succeededFuture(body.length() == 0 ? null : Json.decodeValue(body));
        })));
    long timer = vertx.setTimer(DIAGNOSE_AFTER_MS, t -> {
      if (!call.isComplete()) {
        diagnose(functionId, input, stage.get());
      }
    });
    call.onComplete(ar -> vertx.cancelTimer(timer));
    return call;
  }

  /**
   * A call that hangs is a bug to find, not just a failed test: says which layer still answers
   * (the same call on a fresh connection, {@code GET /health}) and what every thread is doing.
   */
  private void diagnose(String functionId, Object input, String stage) {
    HttpClient fresh = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    Future<String> again = fresh.request(HttpMethod.POST, "/functions/" + functionId)
        .compose(req -> req.putHeader("content-type", "application/json").send(Json.encodeToBuffer(input)))
        .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))
        .timeout(5, java.util.concurrent.TimeUnit.SECONDS);
    Future<String> health = fresh.request(HttpMethod.GET, "/health")
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))
        .timeout(5, java.util.concurrent.TimeUnit.SECONDS);
    Future.join(again, health).onComplete(done -> {
      StringBuilder out = new StringBuilder("HANG: POST /functions/" + functionId + " on port " + port
          + " unanswered after " + DIAGNOSE_AFTER_MS + " ms\n  this call: " + stage + "\n  same call on a fresh connection: "
          + (again.succeeded() ? again.result() : again.cause()) + "\n  GET /health: "
          + (health.succeeded() ? health.result() : health.cause()) + "\n");
      out.append(ThreadDump.text());
      System.err.println(out);
      fresh.close();
    });
  }

  /** Raw body of a call, whatever the status. */
  public Future<Buffer> raw(String functionId, Object input) {
    return onContext(() -> client.request(HttpMethod.POST, "/functions/" + functionId)
        .compose(req -> req.putHeader("content-type", "application/json").send(Json.encodeToBuffer(input)))
        .compose(resp -> resp.body()));
  }

  public Future<Void> close() {
    return client.close();
  }
}
