package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * Publishes through {@code POST /functions/{function_id}} on 127.0.0.1, the shape streamnode's
 * HTTP API takes; the ceiling and Socket.IO servers accept the same request, so the publishing
 * side is identical for the three.
 */
public final class HttpFunctionPublisher extends FunctionCallPublisher {

  private static final Map<String, String> HEADERS = Map.of("content-type", "application/json");

  private final HttpPost http;

  /**
   * @param port the server's HTTP API port
   * @param connections keep-alive connections in the pool (bounds requests in flight on the wire)
   */
  public HttpFunctionPublisher(Vertx vertx, int port, int connections) {
    this.http = new HttpPost(vertx, port, connections);
  }

  @Override
  public Future<Void> call(String function, Buffer body) {
    return http.send("/functions/" + function, HEADERS, body);
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }
}
