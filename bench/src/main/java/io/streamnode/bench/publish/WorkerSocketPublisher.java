package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes over streamnode's worker socket (iii worker protocol, {@code ws://127.0.0.1:49134/}):
 * one WebSocket connection, each call an {@code invokefunction} frame with its own
 * {@code invocation_id}, completed by the {@code invocationresult} (or error) carrying the same id.
 * The {@code workerregistered} frame the server sends on connect, and anything else without a
 * pending id, is ignored.
 */
public final class WorkerSocketPublisher extends FunctionCallPublisher {

  private final Vertx vertx;
  private final int port;
  private final WebSocketClient client;
  private final Map<String, Promise<Void>> pending = new ConcurrentHashMap<>();
  private Future<WebSocket> socket;

  public WorkerSocketPublisher(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setTcpNoDelay(true)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
  }

  /** Opens the connection; the calls made before it is open wait for it. */
  public Future<Void> connect() {
    socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/")
        .setAllowOriginHeader(false))
        .onSuccess(ws -> {
          ws.textMessageHandler(this::onFrame);
          ws.closeHandler(v -> failAll("worker socket closed " + ws.closeStatusCode() + " " + ws.closeReason()));
        });
    return socket.mapEmpty();
  }

  private void onFrame(String text) {
    JsonObject frame = new JsonObject(text);
    if (!"invocationresult".equals(frame.getString("type"))) {
      return; // workerregistered, and anything else the server may send
    }
    Promise<Void> p = pending.remove(frame.getString("invocation_id"));
    if (p == null) {
      return;
    }
    Object error = frame.getValue("error");
    if (error != null) {
      p.fail(frame.getString("function_id") + " -> " + error);
    } else {
      p.complete();
    }
  }

  private void failAll(String why) {
    Map<String, Promise<Void>> copy = new HashMap<>(pending);
    pending.clear();
    copy.values().forEach(p -> p.tryFail(why));
  }

  @Override
  public Future<Void> call(String function, Buffer data) {
    if (socket == null) {
      connect();
    }
    return socket.compose(ws -> {
      String id = UUID.randomUUID().toString();
      Promise<Void> p = Promise.promise();
      pending.put(id, p);
      Buffer frame = Buffer.buffer(data.length() + 128)
          .appendString("{\"type\":\"invokefunction\",\"invocation_id\":\"").appendString(id)
          .appendString("\",\"function_id\":").appendString(Json.encode(function))
          .appendString(",\"data\":").appendBuffer(data).appendString("}");
      ws.writeTextMessage(frame.toString()).onFailure(t -> {
        if (pending.remove(id) != null) {
          p.tryFail(t);
        }
      });
      return p.future();
    });
  }

  @Override
  public Future<Void> close() {
    failAll("publisher closed");
    return client.close();
  }
}
