package io.streamnode.bench.publish;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
   * Every request is made on this one context. Vert.x 5.0.10's client can lose a response's end
   * when {@code body()} is asked for on another thread than the connection's after the end has
   * arrived (eclipse-vertx/vert.x#6038; the root project's test client works around it the same
   * way): the call then never completes. The pre-warm's lanes start on the main thread and the
   * publish timer runs on a context of its own, so without this a pooled connection would be
   * shared by several threads; a call from elsewhere costs a hop to this context and one back.
   */
  private final Context context;

  /**
   * @param port the server's HTTP port
   * @param connections keep-alive connections in the pool (bounds requests in flight on the wire)
   */
  HttpPost(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
    this.context = vertx.getOrCreateContext();
  }

  /** POSTs {@code body} to {@code uri}; fails with the status and body of a non-2xx answer. */
  Future<Void> send(String uri, Map<String, String> headers, Buffer body) {
    Context caller = Vertx.currentContext();
    if (caller == context) {
      return sendHere(uri, headers, body);
    }
    // The outcome goes back to the caller's context, so its callbacks stay on its thread (the
    // load generator counts calls in flight without locks).
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> sendHere(uri, headers, body).onComplete(ar -> {
      if (caller == null) {
        done.handle(ar);
      } else {
        caller.runOnContext(x -> done.handle(ar));
      }
    }));
    return done.future();
  }

  private Future<Void> sendHere(String uri, Map<String, String> headers, Buffer body) {
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
