package io.streamnode.bench.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A subscriber of Nchan (nginx's pub/sub module, {@code bench/nchan/nginx.conf}): a WebSocket to
 * {@code /sub/<channel>}, one channel per group ({@link PubSubChannel}). Nchan sends nothing of its
 * own: every data frame is one published message body as it was POSTed (the load generator's
 * {@code {"t":..,"pad":..}}), so each frame is one event.
 *
 * <p>Joined means upgraded: Nchan answers the WebSocket handshake only once the subscriber is
 * enqueued on the channel ({@code websocket_enqueue} performs the handshake), so a message
 * published after the 101 reaches it.
 */
public final class NchanProtocol implements Protocol {

  @Override
  public Future<WebSocket> join(WebSocketClient client, int port, String subscriptionId, String stream, String group,
                                String item, Handler<Buffer> onEvent) {
    PubSubChannel.requireGroupLevel("nchan", item);
    // No Origin header, as a non-browser client sends none (Nchan checks one against its allowed origin).
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/sub/" + PubSubChannel.of(stream, group)).setAllowOriginHeader(false);
    return client.connect(options).onSuccess(ws -> ws.handler(onEvent));
  }
}
