package io.streamnode.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real clients for the security tests: a raw HTTP request with chosen headers, a WebSocket upgrade
 * with chosen headers. Every wait is bounded.
 */
final class SecurityClients {

  /** The bound of a wait for something that should happen at once: generous, a loaded CI machine is slow, not wrong. */
  static final long WAIT_S = 30;

  record Reply(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  private SecurityClients() {
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
  }

  /** One request on a fresh connection; {@code headers} are sent as given (nothing added). */
  static Reply http(Vertx vertx, int port, HttpMethod method, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    try {
      RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
      headers.forEach(options::putHeader);
      // Made and read on one context: Vert.x 5.0.10's client can lose a response's end when its
      // body is asked for on another thread than the connection's (see HttpFunctions); a test
      // thread's calls would each get a context of their own. A CI run once lost a 403 that way.
      return await(io.streamnode.testing.HttpFunctions.on(vertx.getOrCreateContext(), () -> client.request(options)
          .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> {
            Map<String, String> h = new java.util.HashMap<>();
            resp.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
            return new Reply(resp.statusCode(), h, b.toString());
          }))));
    } finally {
      client.close();
    }
  }

  static Reply postJson(Vertx vertx, int port, String functionId, String body, Map<String, String> extraHeaders)
      throws Exception {
    Map<String, String> headers = new java.util.HashMap<>(extraHeaders);
    headers.put("content-type", "application/json");
    return http(vertx, port, HttpMethod.POST, "/functions/" + functionId, headers, body);
  }

  /** An accepted upgrade with the text frames received so far (handlers set before any can arrive). */
  record Upgraded(WebSocket ws, BlockingQueue<String> frames) {
    String next() throws InterruptedException {
      String frame = frames.poll(WAIT_S, TimeUnit.SECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + WAIT_S + " s");
      }
      return frame;
    }

    void close() throws Exception {
      await(ws.close());
    }
  }

  /**
   * Upgrades to a WebSocket; completes with an {@link Upgraded}, or the HTTP status the upgrade was
   * refused with. Sends exactly {@code headers}: no Origin unless given (Vert.x adds one by default).
   */
  static Object upgrade(Vertx vertx, int port, String path, Map<String, String> headers) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    boolean origin = headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("origin"));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setAllowOriginHeader(origin);
    headers.forEach(options::addHeader);
    // The handler goes on before connecting: the node's first frame may come at once.
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    io.vertx.core.http.ClientWebSocket socket = client.webSocket();
    socket.textMessageHandler(frames::add);
    Future<Object> result = socket.connect(options).<Object>map(ws -> new Upgraded(ws, frames)).recover(err ->
        err instanceof UpgradeRejectedException rejected ? Future.succeededFuture(rejected.getStatus())
            : Future.failedFuture(err));
    return await(result);
  }

  static int refusedWith(Object upgrade) {
    if (upgrade instanceof Upgraded accepted) {
      accepted.ws().close();
      throw new AssertionError("the upgrade was accepted");
    }
    return (Integer) upgrade;
  }
}
