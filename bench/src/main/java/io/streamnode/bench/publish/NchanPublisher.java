package io.streamnode.bench.publish;

import io.streamnode.bench.client.PubSubChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * Publishes to Nchan with {@code POST /pub/<channel>} ({@code bench/nchan/nginx.conf}): the body
 * is the value itself, which Nchan hands to each WebSocket subscriber as it is. Nchan answers
 * 201 (subscribers got it) or 202 (none were there, as for the pre-warm's group).
 */
public final class NchanPublisher implements Publisher {

  private static final Map<String, String> HEADERS = Map.of("content-type", "application/json");

  private final HttpPost http;

  public NchanPublisher(Vertx vertx, int port, int connections) {
    this.http = new HttpPost(vertx, port, connections);
  }

  @Override
  public Future<Void> set(String stream, String group, String item, Buffer data) {
    return http.send("/pub/" + PubSubChannel.of(stream, group), HEADERS, data);
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }
}
