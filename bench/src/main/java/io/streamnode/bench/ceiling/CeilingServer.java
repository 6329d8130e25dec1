package io.streamnode.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The naive ceiling: the least a Vert.x server must do to serve the bench's traffic. It accepts
 * the iii join frame, answers with an empty sync, and re-sends each published value, wrapped
 * once in iii's frame, to every subscriber of the group as a text frame from one shared buffer.
 * No store, no event bus, no triggers, no sequence numbers, no slow-consumer policy; WebSocket
 * and HTTP share one event loop, so a publish is a direct loop over the group's sockets.
 */
public final class CeilingServer extends VerticleBase {

  private final int socketPort;
  private final int apiPort;
  /** "stream/group" -> subscriptions (a socket, and an item or null for the whole group). */
  private final Map<String, List<Sub>> groups = new HashMap<>();
  private final Set<String> existing = new HashSet<>();

  private record Sub(ServerWebSocket ws, String item) { }

  public CeilingServer(int socketPort, int apiPort) {
    this.socketPort = socketPort;
    this.apiPort = apiPort;
  }

  public static void main(String[] args) {
    int socketPort = Integer.parseInt(args[0]);
    int apiPort = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    System.out.println("transport: " + (vertx.isNativeTransportEnabled() ? "native epoll" : "NIO"));
    vertx.deployVerticle(new CeilingServer(socketPort, apiPort)).onComplete(ar -> {
      if (ar.failed()) {
        ar.cause().printStackTrace();
        System.exit(1);
      }
      System.out.println("ceiling ready: socket 127.0.0.1:" + socketPort + ", api 127.0.0.1:" + apiPort
          + ", pid " + ProcessHandle.current().pid());
    });
  }

  @Override
  public Future<?> start() {
    Future<?> sockets = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(socketPort))
        .webSocketHandler(this::onSocket)
        .listen();
    Future<?> api = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(apiPort))
        .requestHandler(this::onRequest)
        .listen();
    return Future.all(sockets, api);
  }

  private void onSocket(ServerWebSocket ws) {
    List<String> joined = new ArrayList<>(1);
    ws.textMessageHandler(text -> {
      JsonObject msg = new JsonObject(text);
      JsonObject data = msg.getJsonObject("data");
      if (!"join".equals(msg.getString("type")) || data == null) {
        return;
      }
      String stream = data.getString("streamName");
      String group = data.getString("groupId");
      String item = data.getString("id");
      String key = stream + "/" + group;
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Sub(ws, item));
      joined.add(key);
      ws.writeFrame(textFrame(frame(stream, group, item, "sync", Buffer.buffer("[]"))));
    });
    ws.closeHandler(v -> {
      for (String key : joined) {
        List<Sub> subs = groups.get(key);
        if (subs != null) {
          subs.removeIf(s -> s.ws == ws);
        }
      }
    });
  }

  private void onRequest(HttpServerRequest req) {
    if (!"/functions/stream::set".equals(req.path())) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.body().onSuccess(body -> {
      JsonObject input;
      try {
        input = body.toJsonObject();
      } catch (RuntimeException e) {
        req.response().setStatusCode(400).end();
        return;
      }
      String stream = input.getString("stream_name");
      String group = input.getString("group_id");
      String item = input.getString("item_id");
      String type = existing.add(stream + "/" + group + "/" + item) ? "create" : "update";
      Buffer frame = frame(stream, group, item, type, Json.encodeToBuffer(input.getValue("data")));
      List<Sub> subs = groups.get(stream + "/" + group);
      if (subs != null) {
        for (int i = 0, n = subs.size(); i < n; i++) {
          Sub s = subs.get(i);
          if (s.item == null || s.item.equals(item)) {
            s.ws.writeFrame(textFrame(frame));
          }
        }
      }
      req.response().putHeader("content-type", "application/json").end("{\"old_value\":null,\"new_value\":null}");
    });
  }

  private static WebSocketFrameImpl textFrame(Buffer shared) {
    ByteBuf bytes = ((BufferInternal) shared).getByteBuf();
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true);
  }

  private static Buffer frame(String stream, String group, String item, String type, Buffer data) {
    return Buffer.buffer(data.length() + 128)
        .appendString("{\"type\":\"stream\",\"timestamp\":").appendString(Long.toString(System.currentTimeMillis()))
        .appendString(",\"streamName\":").appendString(Json.encode(stream))
        .appendString(",\"groupId\":").appendString(Json.encode(group))
        .appendString(",\"id\":").appendString(item == null ? "null" : Json.encode(item))
        .appendString(",\"event\":{\"type\":\"").appendString(type).appendString("\",\"data\":")
        .appendBuffer(data).appendString("}}");
  }
}
