package io.streamnode.bench.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * A subscriber of Centrifugo over its JSON protocol on {@code /connection/websocket}: a
 * {@code {"id":1,"connect":{}}} command, its reply, then {@code {"id":2,"subscribe":{"channel":..}}}
 * for the group's channel ({@link PubSubChannel}) and its reply; from then on publications arrive
 * as {@code {"push":{"channel":..,"pub":{"data":..}}}}.
 *
 * <p>Centrifugo packs several messages into one WebSocket frame, one JSON object a line, so a
 * frame is split at {@code '\n'} and every publication line is handed on as its own event (a
 * slice, no copy). Its ping is an empty {@code {}} line, which the client must answer with
 * {@code {}} or be disconnected after the pong timeout. Publication lines are recognised by their
 * fixed prefix, without parsing them: the load generator's core is the limit at high rates.
 */
public final class CentrifugoProtocol implements Protocol {

  private static final String PATH = "/connection/websocket";
  private static final int CONNECT_ID = 1;
  private static final int SUBSCRIBE_ID = 2;

  @Override
  public Future<WebSocket> join(WebSocketClient client, int port, String subscriptionId, String stream, String group,
                                String item, Handler<Buffer> onEvent) {
    PubSubChannel.requireGroupLevel("centrifugo", item);
    String channel = PubSubChannel.of(stream, group);
    // No Origin header, as a non-browser client sends none (Centrifugo refuses an origin it was not told to allow).
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(PATH)
        .setAllowOriginHeader(false);
    return client.connect(options).compose(ws -> new Subscription(ws, channel, onEvent).start());
  }

  /** One connection's state: the join handshake until subscribed, then publications and pings. */
  private static final class Subscription {
    private final WebSocket ws;
    private final String channel;
    private final Handler<Buffer> onEvent;
    /** How every publication line on this channel starts, as Centrifugo encodes it. */
    private final byte[] publication;
    private final Promise<WebSocket> subscribed = Promise.promise();

    Subscription(WebSocket ws, String channel, Handler<Buffer> onEvent) {
      this.ws = ws;
      this.channel = channel;
      this.onEvent = onEvent;
      this.publication = ("{\"push\":{\"channel\":" + Json.encode(channel) + ",\"pub\":").getBytes(StandardCharsets.UTF_8);
    }

    Future<WebSocket> start() {
      ws.handler(this::onFrame);
      ws.closeHandler(v -> subscribed.tryFail("closed before subscribed: " + ws.closeStatusCode() + " " + ws.closeReason()));
      ws.writeTextMessage(new JsonObject().put("id", CONNECT_ID).put("connect", new JsonObject()).encode());
      return subscribed.future();
    }

    private void onFrame(Buffer frame) {
      int n = frame.length();
      for (int start = 0, end; start < n; start = end + 1) {
        end = start;
        while (end < n && frame.getByte(end) != '\n') {
          end++;
        }
        if (end > start) {
          onLine(frame, start, end);
        }
      }
    }

    private void onLine(Buffer frame, int start, int end) {
      if (startsWith(frame, start, end, publication)) {
        onEvent.handle(frame.slice(start, end));
      } else if (end - start == 2 && frame.getByte(start) == '{' && frame.getByte(start + 1) == '}') {
        ws.writeTextMessage("{}"); // the pong
      } else if (!subscribed.future().isComplete()) {
        onReply(new JsonObject(frame.slice(start, end)));
      }
      // Anything else once subscribed (another kind of push, a late reply) is no event of the bench.
    }

    private void onReply(JsonObject reply) {
      int id = reply.getInteger("id", 0);
      if (reply.containsKey("error")) {
        subscribed.tryFail("centrifugo refused command " + id + ": " + reply.getJsonObject("error"));
      } else if (id == CONNECT_ID) {
        ws.writeTextMessage(new JsonObject().put("id", SUBSCRIBE_ID)
            .put("subscribe", new JsonObject().put("channel", channel)).encode());
      } else if (id == SUBSCRIBE_ID) {
        subscribed.tryComplete(ws);
      }
    }

    private static boolean startsWith(Buffer frame, int start, int end, byte[] prefix) {
      if (end - start < prefix.length) {
        return false;
      }
      for (int k = 0; k < prefix.length; k++) {
        if (frame.getByte(start + k) != prefix[k]) {
          return false;
        }
      }
      return true;
    }
  }
}
