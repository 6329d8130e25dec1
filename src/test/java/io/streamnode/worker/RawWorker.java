package io.streamnode.worker;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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

  static final long WAIT_MS = 5_000;

  private final WebSocketClient client;
  private final WebSocket ws;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final BlockingQueue<Buffer> pongs = new LinkedBlockingQueue<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  private RawWorker(Vertx vertx, int port, String path) {
    // Large results (a big stream::list) must fit: frames up to 16 MB.
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
    ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setAllowOriginHeader(false))
        .map(socket -> {
          socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
          socket.pongHandler(pongs::add);
          socket.closeHandler(v -> closed.countDown());
          return socket;
        })
        .await();
  }

  /** Connects to {@code /}; the first frame ({@code workerregistered}) is left in the queue. */
  static RawWorker connect(Vertx vertx, int port) {
    return new RawWorker(vertx, port, "/");
  }

  static RawWorker connect(Vertx vertx, int port, String path) {
    return new RawWorker(vertx, port, path);
  }

  RawWorker send(JsonObject frame) {
    ws.writeTextMessage(frame.encode()).await();
    return this;
  }

  RawWorker sendText(String text) {
    ws.writeTextMessage(text).await();
    return this;
  }

  RawWorker sendBinary(Buffer bytes) {
    ws.writeBinaryMessage(bytes).await();
    return this;
  }

  /** Stops reading from the socket (as a worker on a slow network would), until {@link #resume()}. */
  RawWorker pause() {
    ws.pause();
    return this;
  }

  RawWorker resume() {
    ws.resume();
    return this;
  }

  RawWorker ping(Buffer payload) {
    ws.writePing(payload).await();
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

  /** The next frame of a type, skipping others (e.g. {@code workerregistered}). */
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
    }
  }

  /** Asserts that nothing arrives for {@code ms}. */
  void expectSilence(long ms) throws InterruptedException {
    assertNull(frames.poll(ms, TimeUnit.MILLISECONDS), "unexpected frame");
  }

  boolean awaitClosed(long ms) throws InterruptedException {
    return closed.await(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      ws.close().await();
    } catch (RuntimeException alreadyClosed) {
      // the node closed it first
    }
    client.close();
  }
}
