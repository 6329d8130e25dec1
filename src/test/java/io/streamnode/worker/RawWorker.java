package io.streamnode.worker;

import io.streamnode.testing.Bounded;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A worker speaking raw JSON frames to the worker socket, for tests that read as a conversation:
 * {@code send(...)}, then {@code next()} blocks the test thread (never an event loop) until the
 * node's next frame arrives. Handlers are installed on the event loop before the first frame can
 * be delivered, so {@code workerregistered} is never missed.
 */
final class RawWorker implements AutoCloseable {

  /**
   * Bound of a wait for a frame the node should send now, in ms: generous, since a passing test
   * never waits it out and a loaded 2-core CI machine (GC, JIT warm-up) once took over 5 s.
   */
  static final long WAIT_MS = 20_000;
  /** Bound of every other wait (connecting, writing, closing), in seconds. */
  private static final long WAIT_S = 10;
  private static final Set<String> QUIET = Set.of("workerregistered", "pong");

  private final WebSocketClient client;
  private final WebSocket ws;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final BlockingQueue<Buffer> pongs = new LinkedBlockingQueue<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  /** Frames {@link #next(Predicate)} passed over, other than the handshake's and pongs: a negative check must see them. */
  private final List<JsonObject> skipped = new ArrayList<>();

  private RawWorker(Vertx vertx, int port, String path, int receiveBufferSize) {
    this(vertx, port, path, java.util.Map.of(), receiveBufferSize);
  }

  private RawWorker(Vertx vertx, int port, String path, java.util.Map<String, String> headers) {
    this(vertx, port, path, headers, 0);
  }

  private RawWorker(Vertx vertx, int port, String path, java.util.Map<String, String> headers, int receiveBufferSize) {
    // Large results (a big stream::list) must fit: frames up to 16 MB.
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024);
    if (receiveBufferSize > 0) {
      options.setReceiveBufferSize(receiveBufferSize);
    }
    client = vertx.createWebSocketClient(options);
    // No Origin header unless one is given (a web page's): the client would otherwise make one up.
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setAllowOriginHeader(headers.keySet().stream().anyMatch("origin"::equalsIgnoreCase));
    headers.forEach(connect::addHeader);
    // Handlers set before connecting: Vert.x installs them before it lets the first frame in. Set
    // in a callback of connect(), they come after Vert.x has resumed the socket, and a full suite
    // once saw a worker wait 20 s for a workerregistered the node had sent.
    io.vertx.core.http.ClientWebSocket socket = client.webSocket();
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.pongHandler(pongs::add);
    socket.closeHandler(v -> closed.countDown());
    ws = connected(socket.connect(connect));
  }

  /** The socket, waiting at most {@link #WAIT_S}; a refused upgrade throws its own exception (status included). */
  private static WebSocket connected(io.vertx.core.Future<WebSocket> connecting) {
    try {
      return connecting.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException refused ? refused : new RuntimeException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("not connected within " + WAIT_S + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Connects to {@code /}; the first frame ({@code workerregistered}) is left in the queue. */
  static RawWorker connect(Vertx vertx, int port) {
    return new RawWorker(vertx, port, "/", 0);
  }

  static RawWorker connect(Vertx vertx, int port, String path) {
    return new RawWorker(vertx, port, path, 0);
  }

  /**
   * Connects with a small socket receive buffer ({@code SO_RCVBUF}): what the worker does not read
   * stays in the node's outbound queue, as over a real network, instead of in loopback's buffers
   * (several MB), where no slow-consumer check can see it.
   */
  static RawWorker connectWithReceiveBuffer(Vertx vertx, int port, int receiveBufferSize) {
    return new RawWorker(vertx, port, "/", receiveBufferSize);
  }

  /** Connects to {@code path} (a query string included) with extra upgrade headers, e.g. an {@code Origin}. */
  static RawWorker connect(Vertx vertx, int port, String path, java.util.Map<String, String> headers) {
    return new RawWorker(vertx, port, path, headers);
  }

  RawWorker send(JsonObject frame) {
    Bounded.await(ws.writeTextMessage(frame.encode()), WAIT_S);
    return this;
  }

  RawWorker sendText(String text) {
    Bounded.await(ws.writeTextMessage(text), WAIT_S);
    return this;
  }

  RawWorker sendBinary(Buffer bytes) {
    Bounded.await(ws.writeBinaryMessage(bytes), WAIT_S);
    return this;
  }

  /**
   * Stops reading from the socket, as a worker on a slow network would, until {@link #resume()}.
   * At the TCP level: a paused Vert.x WebSocket still reads a whole large frame into memory (it
   * queues messages, not bytes), so the node would never see this worker fall behind.
   */
  RawWorker pause() {
    channel().config().setAutoRead(false);
    return this;
  }

  RawWorker resume() {
    channel().config().setAutoRead(true);
    return this;
  }

  private io.netty.channel.Channel channel() {
    return ((io.vertx.core.internal.http.WebSocketInternal) ws).channelHandlerContext().channel();
  }

  RawWorker ping(Buffer payload) {
    Bounded.await(ws.writePing(payload), WAIT_S);
    return this;
  }

  Buffer nextPong() throws InterruptedException {
    Buffer pong = pongs.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertNotNull(pong, "no pong within " + WAIT_MS + " ms");
    return pong;
  }

  /** The next frame from the node. */
  JsonObject next() throws InterruptedException {
    JsonObject frame = frames.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertNotNull(frame, "no frame within " + WAIT_MS + " ms");
    return frame;
  }

  /**
   * The next frame of a type, skipping others (e.g. {@code workerregistered}). A skipped frame
   * other than {@code workerregistered} or {@code pong} is remembered, and {@link #expectSilence}
   * fails on it: a wrongly fired {@code invokefunction} is never thrown away unseen.
   */
  JsonObject next(String type) throws InterruptedException {
    return next(f -> type.equals(f.getString("type")));
  }

  JsonObject next(Predicate<JsonObject> wanted) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      JsonObject frame = left <= 0 ? null : frames.poll(left, TimeUnit.MILLISECONDS);
      if (frame == null) {
        fail("no matching frame within " + WAIT_MS + " ms");
      }
      if (wanted.test(frame)) {
        return frame;
      }
      if (!QUIET.contains(frame.getString("type"))) {
        skipped.add(frame);
      }
    }
  }

  /**
   * The next frame if one arrives before {@code until} completes (or within {@link #WAIT_MS}),
   * else null: for a call that is answered either by this worker or without it.
   */
  JsonObject poll(io.vertx.core.Future<?> until) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      JsonObject frame = frames.poll(10, TimeUnit.MILLISECONDS);
      if (frame != null) {
        return frame;
      }
      if (until.isComplete()) {
        return frames.poll(50, TimeUnit.MILLISECONDS);
      }
    }
    return null;
  }

  /** Asserts that nothing arrives for {@code ms}, and that nothing unexpected was skipped before. */
  void expectSilence(long ms) throws InterruptedException {
    assertEquals(List.of(), skipped, "frames skipped while waiting for others");
    JsonObject frame = frames.poll(ms, TimeUnit.MILLISECONDS);
    assertNull(frame, () -> "unexpected frame " + frame);
  }

  boolean awaitClosed(long ms) throws InterruptedException {
    return closed.await(ms, TimeUnit.MILLISECONDS);
  }

  /** The status of the close frame the node sent, once closed ({@code null}: none). */
  Short closeStatus() {
    return ws.closeStatusCode();
  }

  @Override
  public void close() {
    try {
      Bounded.await(ws.close(), WAIT_S);
    } catch (RuntimeException | AssertionError alreadyClosed) {
      // the node closed it first
    }
    client.close();
  }
}
