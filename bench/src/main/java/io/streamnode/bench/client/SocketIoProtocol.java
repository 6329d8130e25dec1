package io.streamnode.bench.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A minimal Socket.IO v5 client over Engine.IO v4's websocket transport, enough for the bench:
 * {@code 0{..}} open from the server, {@code 40} connect to the main namespace, {@code 40{..}}
 * back, then {@code 42["join",{..}]} out and {@code 42["sync",..]} / {@code 42["stream",..]} in.
 * The server's Engine.IO ping {@code 2} is answered with pong {@code 3}, or it would drop us
 * after pingInterval + pingTimeout.
 */
public final class SocketIoProtocol implements Protocol {

  private static final String PATH = "/socket.io/?EIO=4&transport=websocket";

  @Override
  public Future<WebSocket> join(WebSocketClient client, int port, String subscriptionId, String stream, String group,
                                String item, Handler<Buffer> onEvent) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(PATH);
    return client.connect(options).compose(ws -> {
      Promise<WebSocket> synced = Promise.promise();
      JsonObject data = new JsonObject().put("subscriptionId", subscriptionId).put("streamName", stream)
          .put("groupId", group);
      if (item != null) {
        data.put("id", item);
      }
      String joinPacket = "42[\"join\"," + data.encode() + "]";
      ws.handler(frame -> {
        int n = frame.length();
        if (n == 0) {
          return;
        }
        byte engineType = frame.getByte(0);
        if (engineType == '2') {            // Engine.IO ping
          ws.writeTextMessage("3");
        } else if (engineType == '0') {     // Engine.IO open: connect to the "/" namespace
          ws.writeTextMessage("40");
        } else if (engineType == '4' && n > 1) {
          byte ioType = frame.getByte(1);
          if (ioType == '0') {              // namespace connected
            ws.writeTextMessage(joinPacket);
          } else if (ioType == '2' && n > 6) {
            // 42["stream",{..}] or 42["sync",{..}]: the fifth byte tells them apart.
            if (frame.getByte(5) == 't') {
              onEvent.handle(frame);
            } else if (frame.getByte(5) == 'y') {
              synced.tryComplete(ws);
            }
          } else if (ioType == '4') {       // connect_error
            synced.tryFail("socket.io connect_error: " + frame);
          }
        }
      });
      ws.closeHandler(v -> synced.tryFail("closed before sync"));
      return synced.future();
    });
  }
}
