package io.streamnode.bench.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/** iii's stream socket (WIRE.md section 1): a join frame out, a sync frame back, then events. */
public final class StreamSocketProtocol implements Protocol {

  @Override
  public Future<WebSocket> join(WebSocketClient client, int port, String subscriptionId, String stream, String group,
                                String item, Handler<Buffer> onEvent) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/");
    return client.connect(options).compose(ws -> {
      Promise<WebSocket> synced = Promise.promise();
      boolean[] joined = {false};
      ws.handler(frame -> {
        if (joined[0]) {
          onEvent.handle(frame);
        } else {
          // The first frame after a join is its sync (or unauthorized, which the bench never asks for).
          joined[0] = true;
          synced.tryComplete(ws);
        }
      });
      ws.closeHandler(v -> synced.tryFail("closed before sync"));
      JsonObject data = new JsonObject().put("subscriptionId", subscriptionId).put("streamName", stream)
          .put("groupId", group);
      if (item != null) {
        data.put("id", item);
      }
      ws.writeTextMessage(new JsonObject().put("type", "join").put("data", data).encode());
      return synced.future();
    });
  }
}
