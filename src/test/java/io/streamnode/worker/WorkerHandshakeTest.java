package io.streamnode.worker;

import io.streamnode.StreamNode;
import io.streamnode.function.FunctionBus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection itself (WIRE.md 4.1, 4.3, 4.10): {@code workerregistered} first, registrations
 * accepted before it is read, pings in both flavours, the telemetry side channel, and frames the
 * node must ignore.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class WorkerHandshakeTest {

  private static final Pattern UUID_SHAPE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private StreamNode node;
  private int port;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNodes.start(vertx, TestNodes.options());
    port = node.workerSocketPort();
  }

  @AfterEach
  void stop() {
    node.close().await();
  }

  @Test
  void firstFrameIsWorkerRegisteredWithFreshUuids(Vertx vertx) throws Exception {
    try (RawWorker a = RawWorker.connect(vertx, port); RawWorker b = RawWorker.connect(vertx, port)) {
      JsonObject first = a.next();
      assertEquals("workerregistered", first.getString("type"));
      assertEquals(3, first.size(), first.encode());
      assertTrue(UUID_SHAPE.matcher(first.getString("worker_id")).matches(), first.encode());
      assertTrue(UUID_SHAPE.matcher(first.getString("reattach_token")).matches(), first.encode());
      assertNotEquals(first.getString("worker_id"), first.getString("reattach_token"));
      JsonObject other = b.next("workerregistered");
      assertNotEquals(first.getString("worker_id"), other.getString("worker_id"));
      assertNotEquals(first.getString("reattach_token"), other.getString("reattach_token"));
    }
  }

  @Test
  void registrationsSentBeforeReadingWorkerRegisteredAreHonoured(Vertx vertx) throws Exception {
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      // The SDK writes as soon as the socket opens, without waiting for workerregistered.
      worker.send(new JsonObject().put("type", "registerfunction").put("id", "early::fn"));
      worker.send(new JsonObject().put("type", "ping"));
      worker.next("pong");
      var result = new FunctionBus(vertx, 20_000).call("early::fn", new JsonObject().put("x", 1));
      JsonObject invoke = worker.next("invokefunction");
      worker.send(new JsonObject().put("type", "invocationresult").put("invocation_id", invoke.getString("invocation_id"))
          .put("function_id", "early::fn").put("result", "ok"));
      assertEquals("ok", result.await().value());
    }
  }

  @Test
  void jsonPingIsAnsweredWithJsonPongAndPongIsIgnored(Vertx vertx) throws Exception {
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      worker.next("workerregistered");
      worker.send(new JsonObject().put("type", "pong"));
      worker.send(new JsonObject().put("type", "ping"));
      assertEquals(new JsonObject().put("type", "pong"), worker.next());
      worker.expectSilence(200);
    }
  }

  @Test
  void webSocketPingFramesAreAnsweredWithPongFrames(Vertx vertx) throws Exception {
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      worker.ping(Buffer.buffer("hb"));
      assertEquals("hb", worker.nextPong().toString());
    }
  }

  @Test
  void otelSideChannelAcceptsAndDiscardsBinaryFrames(Vertx vertx) throws Exception {
    try (RawWorker otel = RawWorker.connect(vertx, port, "/otel")) {
      otel.sendBinary(Buffer.buffer("OTLP{\"resourceSpans\":[]}"));
      otel.sendBinary(Buffer.buffer("MTRC{}"));
      otel.sendText("{\"type\":\"ping\"}");
      otel.ping(Buffer.buffer("p"));
      assertEquals("p", otel.nextPong().toString());
      otel.expectSilence(200);
    }
  }

  @Test
  void otherPathsAreRefused(Vertx vertx) {
    assertThrows(RuntimeException.class, () -> RawWorker.connect(vertx, port, "/nope"));
  }

  @Test
  void telemetryFramesOnTheWorkerPathAreDropped(Vertx vertx) throws Exception {
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      worker.next("workerregistered");
      worker.sendBinary(Buffer.buffer("LOGS{\"type\":\"ping\"}"));
      worker.expectSilence(200);
      // A binary frame that is not telemetry is a protocol message, as in iii.
      worker.sendBinary(Buffer.buffer("{\"type\":\"ping\"}"));
      assertEquals("pong", worker.next().getString("type"));
    }
  }

  @Test
  void framesTheNodeDoesNotServeAreIgnoredSilently(Vertx vertx) throws Exception {
    try (RawWorker worker = RawWorker.connect(vertx, port)) {
      worker.next("workerregistered");
      worker.send(new JsonObject().put("type", "registertriggertype").put("id", "cron").put("description", "d"));
      worker.send(new JsonObject().put("type", "unregistertriggertype").put("id", "cron").put("description", "d"));
      worker.send(new JsonObject().put("type", "triggerregistrationresult").put("id", UUID.randomUUID().toString())
          .put("trigger_type", "cron").put("function_id", "f").put("message_type", "triggerregistrationresult"));
      worker.send(new JsonObject().put("type", "registerservice").put("id", "svc"));
      worker.send(new JsonObject().put("type", "workerregistered").put("worker_id", "x"));
      worker.send(new JsonObject().put("type", "somethingnew").put("namespace", "default"));
      worker.expectSilence(300);
      worker.send(new JsonObject().put("type", "ping").put("namespace", "default"));
      assertEquals("pong", worker.next().getString("type"));
    }
  }
}
