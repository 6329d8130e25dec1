package io.streamnode.bench.publish;

import io.streamnode.bench.client.PubSubChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.util.Map;

/**
 * Publishes through Centrifugo's server HTTP API: {@code POST /api/publish} with the
 * {@code X-API-Key} header and {@code {"channel":..,"data":<value>}}. The bench's config sets
 * {@code http_api.error_mode: transport}, so a refused publish is a non-2xx status, not a 200
 * with an error in the body.
 */
public final class CentrifugoPublisher implements Publisher {

  private final HttpPost http;
  private final Map<String, String> headers;

  /** @param apiKey the config's {@code http_api.key} */
  public CentrifugoPublisher(Vertx vertx, int port, int connections, String apiKey) {
    this.http = new HttpPost(vertx, port, connections);
    this.headers = Map.of("content-type", "application/json", "x-api-key", apiKey);
  }

  @Override
  public Future<Void> set(String stream, String group, String item, Buffer data) {
    // Built by hand: the value is already encoded and goes in as it is.
    Buffer body = Buffer.buffer(data.length() + 48)
        .appendString("{\"channel\":").appendString(Json.encode(PubSubChannel.of(stream, group)))
        .appendString(",\"data\":").appendBuffer(data).appendString("}");
    return http.send("/api/publish", headers, body);
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }
}
