package io.streamnode.testing;

import io.vertx.core.Future;
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

  private final HttpClient client;

  private HttpFunctions(HttpClient client) {
    this.client = client;
  }

  /** A client of the HTTP API on {@code 127.0.0.1:port} with up to {@code connections} connections. */
  public static HttpFunctions create(Vertx vertx, int port, int connections) {
    return new HttpFunctions(vertx.createHttpClient(
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
    return client.request(HttpMethod.POST, "/functions/" + functionId)
        .compose(req -> req.putHeader("content-type", "application/json").send(Json.encodeToBuffer(input)))
        .compose(resp -> resp.body().compose(body -> {
          if (resp.statusCode() / 100 != 2) {
            return Future.failedFuture(new IllegalStateException(
                functionId + " answered " + resp.statusCode() + ": " + body));
          }
          return Future.succeededFuture(body.length() == 0 ? null : Json.decodeValue(body));
        }));
  }

  /** Raw body of a call, whatever the status. */
  public Future<Buffer> raw(String functionId, Object input) {
    return client.request(HttpMethod.POST, "/functions/" + functionId)
        .compose(req -> req.putHeader("content-type", "application/json").send(Json.encodeToBuffer(input)))
        .compose(resp -> resp.body());
  }

  public Future<Void> close() {
    return client.close();
  }
}
