package io.streamnode.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A real WebSocket client of the stream socket (Vert.x {@link WebSocketClient}) that records
 * every message the server sends, decoded as a {@link JsonObject}, in arrival order. A test
 * awaits the n-th message with {@link #frame(int)} or the first n with {@link #frames(int)}.
 * A binary message is recorded as {@code {"binary": "<text>"}} so that a test expecting text fails.
 *
 * <p>Thread-safe: the recording runs on the client's event loop, tests read from anywhere.
 */
public final class TestSocket {

  /** Large enough for any frame a test sends or receives. */
  public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final WebSocketClient client;
  private final WebSocket ws;
  private final List<JsonObject> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Void> closed = Promise.promise();

  private record Waiter(int count, Promise<List<JsonObject>> promise) {
  }

  /** Handlers go on before the socket connects, so no frame can arrive ahead of them (a legacy path's sync comes at once). */
  private TestSocket(WebSocketClient client, io.vertx.core.http.ClientWebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> record(new JsonObject(text)));
    ws.binaryMessageHandler(buf -> record(new JsonObject().put("binary", buf.toString())));
    ws.closeHandler(v -> onClose());
  }

  /** Connects to {@code ws://127.0.0.1:port/}. */
  public static Future<TestSocket> connect(Vertx vertx, int port) {
    return connect(vertx, port, "/");
  }

  /** Connects to {@code ws://127.0.0.1:port<uri>} ({@code uri} may carry a query string). */
  public static Future<TestSocket> connect(Vertx vertx, int port, String uri) {
    return connect(vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri));
  }

  /** Connects with full control over the handshake (headers, URI...). */
  public static Future<TestSocket> connect(Vertx vertx, WebSocketConnectOptions options) {
    return connect(vertx, new WebSocketClientOptions(), options);
  }

  /** Connects with client options too (e.g. a small receive buffer); frame limits are raised to {@link #MAX_FRAME_BYTES}. */
  public static Future<TestSocket> connect(Vertx vertx, WebSocketClientOptions clientOptions,
                                           WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions(clientOptions)
        .setMaxFrameSize(MAX_FRAME_BYTES).setMaxMessageSize(MAX_FRAME_BYTES));
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    TestSocket socket = new TestSocket(client, ws);
    return ws.connect(options)
        .map(connected -> socket)
        .onFailure(err -> client.close());
  }

  // ---- sending ---------------------------------------------------------------------------

  /** Sends a {@code join} frame; {@code item} may be null (group subscription). */
  public Future<Void> join(String subscriptionId, String stream, String group, String item) {
    return send(command("join", subscriptionId, stream, group, item));
  }

  /** Sends a {@code leave} frame. */
  public Future<Void> leave(String subscriptionId, String stream, String group, String item) {
    return send(command("leave", subscriptionId, stream, group, item));
  }

  /** The {@code join}/{@code leave} frame iii's clients send. */
  public static JsonObject command(String type, String subscriptionId, String stream, String group, String item) {
    return new JsonObject().put("type", type).put("data", new JsonObject()
        .put("subscriptionId", subscriptionId).put("streamName", stream).put("groupId", group).put("id", item));
  }

  /** Sends a JSON object as one text frame. */
  public Future<Void> send(JsonObject message) {
    return send(message.encode());
  }

  /** Sends raw text as one text message. */
  public Future<Void> send(String text) {
    return ws.writeTextMessage(text);
  }

  /** The underlying WebSocket, for frames, pings, pause/resume. */
  public WebSocket webSocket() {
    return ws;
  }

  /** Closes the socket normally (1000). */
  public Future<Void> close() {
    return ws.close().transform(ar -> client.close());
  }

  // ---- receiving -------------------------------------------------------------------------

  /** Completes with the message of index {@code index} (0 = first) once it has arrived. */
  public Future<JsonObject> frame(int index) {
    return frames(index + 1).map(list -> list.get(index));
  }

  /**
   * Completes with the first {@code count} messages once they have arrived; fails if the socket
   * closes before, with what did arrive in the message.
   */
  public synchronized Future<List<JsonObject>> frames(int count) {
    if (received.size() >= count) {
      return Future.succeededFuture(List.copyOf(received.subList(0, count)));
    }
    if (closed.future().isComplete()) {
      return Future.failedFuture(notEnough(count));
    }
    Promise<List<JsonObject>> promise = Promise.promise();
    waiters.add(new Waiter(count, promise));
    return promise.future();
  }

  /** Everything received so far. */
  public synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  /** Completes when the connection is closed (by either side). */
  public Future<Void> closed() {
    return closed.future();
  }

  /** The status code of the close frame the server sent, or null. */
  public Short closeStatusCode() {
    return ws.closeStatusCode();
  }

  /** The reason of the close frame the server sent, or null. */
  public String closeReason() {
    return ws.closeReason();
  }

  private void record(JsonObject message) {
    List<Runnable> ready = new ArrayList<>();
    synchronized (this) {
      received.add(message);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (received.size() >= w.count) {
          it.remove();
          List<JsonObject> first = List.copyOf(received.subList(0, w.count));
          ready.add(() -> w.promise.complete(first));
        }
      }
    }
    ready.forEach(Runnable::run);
  }

  private void onClose() {
    List<Waiter> failed;
    synchronized (this) {
      failed = new ArrayList<>(waiters);
      waiters.clear();
    }
    failed.forEach(w -> w.promise.fail(notEnough(w.count)));
    closed.tryComplete();
    client.close();
  }

  private synchronized IllegalStateException notEnough(int count) {
    return new IllegalStateException("socket closed (" + ws.closeStatusCode() + " " + ws.closeReason() + ") after "
        + received.size() + " of " + count + " awaited messages: " + received);
  }
}
