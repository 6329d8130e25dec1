package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.Map;

/**
 * The HTTP side every HTTP publisher shares: a pool of keep-alive connections to one port on
 * 127.0.0.1, a POST per call, complete once the whole response has come back with a 2xx status.
 * What differs between servers (path, headers, body shape) stays in the publisher that uses it.
 */
final class HttpPost {

  private final HttpClient client;
  private final int port;

  /**
   * @param port the server's HTTP port
   * @param connections keep-alive connections in the pool (bounds requests in flight on the wire)
   */
  HttpPost(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  /** POSTs {@code body} to {@code uri}; fails with the status and body of a non-2xx answer. */
  Future<Void> send(String uri, Map<String, String> headers, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(uri);
    headers.forEach(options::putHeader);
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("POST " + uri + " -> HTTP " + resp.statusCode() + ": " + b)));
  }

  Future<Void> close() {
    return client.close();
  }
}
