package io.streamnode.bench.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;

/**
 * How a subscriber talks to one kind of server: open a socket, join a group (or one item of it),
 * and hand every later event to the load generator. One load generator drives every server
 * through this seam: {@link StreamSocketProtocol} (streamnode and the ceiling),
 * {@link SocketIoProtocol} (Engine.IO v4 / Socket.IO v5 over a raw WebSocket), and for the
 * pub/sub peers, where a channel stands for a group, {@link NchanProtocol} and
 * {@link CentrifugoProtocol}.
 */
public interface Protocol {

  /**
   * Connects and joins. The future completes once the server acknowledged the join (its sync
   * frame, subscribe reply, or for Nchan the handshake); from then on {@code onEvent} receives the
   * raw bytes of every event, once per event (a frame that packs several is split).
   *
   * @param item an item id for an item-level subscription, or {@code null} for the whole group
   */
  Future<WebSocket> join(WebSocketClient client, int port, String subscriptionId, String stream, String group,
                         String item, Handler<Buffer> onEvent);

  static Protocol named(String server) {
    return switch (server) {
      case "socketio" -> new SocketIoProtocol();
      case "streamnode", "ceiling" -> new StreamSocketProtocol();
      case "nchan" -> new NchanProtocol();
      case "centrifugo" -> new CentrifugoProtocol();
      default -> throw new IllegalArgumentException("unknown server kind " + server);
    };
  }
}
