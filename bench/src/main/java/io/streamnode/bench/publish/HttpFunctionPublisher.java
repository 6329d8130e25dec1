package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Publishes through {@code POST /functions/{function_id}} on 127.0.0.1, the shape streamnode's
 * HTTP API takes; the ceiling and Socket.IO servers accept the same request, so the publishing
 * side is identical for every server.
 */
public final class HttpFunctionPublisher implements Publisher {

  private final HttpClient client;
  private final int port;

  /**
   * @param port the server's HTTP API port
   * @param connections keep-alive connections in the pool (bounds requests in flight on the wire)
   */
  public HttpFunctionPublisher(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  @Override
  public Future<Void> call(String function, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/functions/" + function).putHeader("content-type", "application/json");
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(function + " -> HTTP " + resp.statusCode() + ": " + b)));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
