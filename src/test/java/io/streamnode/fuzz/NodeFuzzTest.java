package io.streamnode.fuzz;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.store.StoreAddresses;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throws random and mutated frames at the stream socket, both worker listeners (the public one
 * with good and bad tokens, and grants of every kind) and the HTTP API for a few seconds, then checks that the node still serves every kind of client and that the data it
 * held before (the {@value #SENTINEL} stream, which no fuzzed input names) is unchanged, and that
 * a client subscribed to it throughout saw nothing but its sync.
 * <p>
 * Seeded: {@code -Dstreamnode.fuzz.seed=N} replays a run (the seed is printed);
 * {@code -Dstreamnode.fuzz.seconds=S} runs longer (default 3).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.MINUTES)
class NodeFuzzTest {

  static final String SENTINEL = "sentinel";
  private static final String PUBLIC_AUTH = "fuzz::auth";
  private static final String[] FUNCTIONS = {"stream::set", "stream::get", "stream::delete", "stream::update",
      "stream::list", "stream::list_groups", "stream::list_all", "stream::send", "publish", "engine::workers::register",
      TriggerAddresses.REGISTER, TriggerAddresses.UNREGISTER, TriggerAddresses.JOIN, StoreAddresses.SNAPSHOT,
      StoreAddresses.CUSTOM_IMPLEMENTATIONS, "fuzz::f", "stream::get(fuzz)", ""};
  private static final String[] WORKER_TYPES = {"registerfunction", "unregisterfunction", "registertrigger",
      "unregistertrigger", "invokefunction", "invocationresult", "reattach", "ping", "pong", "registertriggertype",
      "workerregistered", "bogus"};
  private static final String[] TRIGGER_TYPES = {"stream", "stream:join", "stream:leave", "subscribe", "cron", ""};

  private static final String SPECIAL = "{}[]\",:\\0 ";

  // A fixed seed in the normal suite, so CI runs the same inputs every time; -Dstreamnode.fuzz.seed=N
  // explores others (with -Dstreamnode.fuzz.seconds for longer runs).
  private final long seed = Long.getLong("streamnode.fuzz.seed", 20261129L);
  private final long seconds = Long.getLong("streamnode.fuzz.seconds", 3);
  private final Random random = new Random(seed);
  private long sent;
  /** HTTP requests are made on one context (see HttpFunctions: Vert.x 5.0.10 can lose a response's end otherwise). */
  private io.vertx.core.Context httpContext;
  private final java.util.concurrent.atomic.AtomicInteger httpInFlight = new java.util.concurrent.atomic.AtomicInteger();

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void randomAndMutatedInputLeavesTheNodeServingAndTheSentinelUntouched(Vertx vertx) throws Exception {
    System.out.println("NodeFuzzTest seed " + seed + " (-Dstreamnode.fuzz.seed=" + seed + "), " + seconds + " s");
    NodeOptions options = TestNodes.options();
    // 2 s: calls to functions that never answer end soon enough to keep the fuzz busy, and the
    // checks after it (which run under the same timeout) survive a stall of a loaded machine.
    options.getLimits().setCallTimeoutMs(2000).setMaxFrameBytes(64 * 1024).setMaxBodyBytes(64 * 1024);
    options.getPublicWorkerSocket().setEnabled(true).setPort(0).getRbac().setAuthFunctionId(PUBLIC_AUTH)
        .setExposeFunctions(List.of("match(\"stream::list\")", "match(\"fuzz::*\")"));
    StreamNode node = get(TestNodes.start(vertx, options));
    Worker admin = Worker.create(vertx);
    get(admin.registerFunction(PUBLIC_AUTH, NodeFuzzTest::publicAuth));
    for (int i = 0; i < 20; i++) {
      get(admin.call("stream::set", new JsonObject().put("stream_name", SENTINEL).put("group_id", "g")
          .put("item_id", "i" + i).put("data", new JsonObject().put("n", i))));
    }
    Object before = get(admin.call("stream::list", new JsonObject().put("stream_name", SENTINEL).put("group_id", "g"))).value();
    TestSocket watcher = get(TestSocket.connect(vertx, node.streamSocketPort()));
    get(watcher.join("w", SENTINEL, "g", null));
    get(watcher.frame(0));

    WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
    httpContext = vertx.getOrCreateContext();
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.httpPort()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    List<FuzzSocket> open = new ArrayList<>();
    long deadline = System.currentTimeMillis() + seconds * 1000;
    while (System.currentTimeMillis() < deadline) {
      open.removeIf(f -> f.ws().isClosed());
      if (open.size() < 8) {
        int listener = random.nextInt(3);
        boolean worker = listener > 0;
        String path = random.nextInt(10) == 0 ? "/" + word() : (worker && random.nextInt(8) == 0 ? "/otel" : "/");
        String query = listener == 2 ? publicQuery() : maybeQuery();
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(listener == 0 ? node.streamSocketPort() : listener == 1 ? node.workerSocketPort()
                : node.publicWorkerSocketPort()).setURI(path + query)
            .setAllowOriginHeader(random.nextInt(4) == 0);
        try {
          WebSocket ws = get(wsClient.connect(connect));
          ws.handler(b -> { });
          ws.exceptionHandler(t -> { });
          open.add(new FuzzSocket(ws, worker));
        } catch (Exception refused) {
          // 403, 404, 503...: refusals are part of the game
        }
      }
      for (FuzzSocket f : open) {
        if (f.ws().isClosed()) {
          continue;
        }
        // A socket the node holds back (a join waiting for its handlers) is skipped, not waited for.
        try {
          for (int i = 0; i < 20 && !f.ws().writeQueueFull(); i++) {
            sendFrame(f.ws(), f.worker());
          }
        } catch (IllegalStateException closedMeanwhile) {
          // The node closed it since the check above (a refused public client, a too big frame).
        }
      }
      // HTTP calls may wait for a function that never answers (call_timeout_ms): keep up to 64 in
      // flight without waiting for them.
      while (httpInFlight.get() < 64) {
        httpInFlight.incrementAndGet();
        httpCall(http).onComplete(done -> httpInFlight.decrementAndGet());
      }
      Thread.sleep(5);
    }
    for (FuzzSocket f : open) {
      get(f.ws().close().otherwiseEmpty());
    }
    System.out.println("NodeFuzzTest sent " + sent + " inputs");
    Thread.sleep(700); // fuzz workers' registrations go with their connections
    // The checks below run under call_timeout_ms (2 s) too: let the fuzz HTTP calls still in
    // flight end first (by call_timeout_ms at the latest), rather than guess how long that takes
    // on a loaded machine. A call that never ends is no reason to stop here: the checks say whether
    // the node still serves.
    long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (httpInFlight.get() > 0 && System.nanoTime() < drained) {
      Thread.sleep(20);
    }
    System.out.println("NodeFuzzTest: " + httpInFlight.get() + " fuzz HTTP calls still in flight");

    // The node still serves every kind of client.
    Buffer health = get(HttpFunctions.on(httpContext,
        () -> http.request(HttpMethod.GET, "/health").compose(r -> r.send().compose(x -> x.body()))));
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(health));
    Object after = get(admin.call("stream::list", new JsonObject().put("stream_name", SENTINEL).put("group_id", "g"))).value();
    assertEquals(before, after, "the sentinel stream changed");
    TestSocket fresh = get(TestSocket.connect(vertx, node.streamSocketPort()));
    get(fresh.join("f", SENTINEL, "g", null));
    JsonObject sync = get(fresh.frame(0));
    assertEquals("sync", sync.getJsonObject("event").getString("type"));
    assertEquals(20, sync.getJsonObject("event").getJsonArray("data").size());
    WebSocket publicClient = get(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.publicWorkerSocketPort()).setURI("/?token=good-0").setAllowOriginHeader(false)));
    java.util.concurrent.BlockingQueue<JsonObject> publicFrames = new java.util.concurrent.LinkedBlockingQueue<>();
    publicClient.textMessageHandler(t -> publicFrames.add(new JsonObject(t)));
    get(publicClient.writeTextMessage(new JsonObject().put("type", "invokefunction").put("invocation_id",
        java.util.UUID.randomUUID().toString()).put("function_id", "stream::list")
        .put("data", new JsonObject().put("stream_name", SENTINEL).put("group_id", "g")).encode()));
    JsonObject listed = null;
    for (JsonObject f; listed == null && (f = publicFrames.poll(30, TimeUnit.SECONDS)) != null; ) {
      listed = "invocationresult".equals(f.getString("type")) ? f : null;
    }
    assertEquals(20, listed == null ? -1 : listed.getJsonArray("result").size(), "the public worker socket stopped serving");
    get(publicClient.close());
    Worker probe = Worker.create(vertx);
    get(probe.registerFunction("fuzz::probe", in -> Future.succeededFuture(io.streamnode.function.FunctionResult.of("pong"))));
    assertEquals("pong", get(probe.call("fuzz::probe", new JsonObject())).value());
    assertFalse(watcher.webSocket().isClosed(), "the watcher was disconnected");
    assertEquals(1, watcher.received().size(), "the watcher saw events on the sentinel: " + watcher.received());
    get(admin.call("stream::set", new JsonObject().put("stream_name", SENTINEL).put("group_id", "g")
        .put("item_id", "last").put("data", 1)));
    assertEquals("create", get(watcher.frame(1)).getJsonObject("event").getString("type"));
    assertTrue(sent > 0);
    get(probe.close());
    get(admin.close());
    get(fresh.close());
    get(watcher.close());
    get(node.close());
  }

  private record FuzzSocket(WebSocket ws, boolean worker) {
  }

  private Future<Void> sendFrame(WebSocket ws, boolean worker) {
    sent++;
    switch (random.nextInt(6)) {
      case 0:
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        return ws.writeBinaryMessage(Buffer.buffer(bytes));
      case 1:
        return ws.writeTextMessage(mutateText(worker ? workerFrame().encode() : streamFrame().encode()));
      case 2:
        return ws.writeTextMessage(String.valueOf(randomJson(3)));
      default:
        JsonObject frame = worker ? workerFrame() : streamFrame();
        return ws.writeTextMessage(mutate(frame).encode());
    }
  }

  private Future<Void> httpCall(HttpClient http) {
    sent++;
    HttpMethod method = random.nextInt(5) == 0 ? pick(new HttpMethod[] {HttpMethod.GET, HttpMethod.PUT, HttpMethod.OPTIONS,
        HttpMethod.DELETE}) : HttpMethod.POST;
    String path = random.nextInt(8) == 0 ? "/" + word() : "/functions/" + pick(FUNCTIONS);
    RequestOptions request = new RequestOptions().setMethod(method).setURI(path.replace(" ", "%20"));
    switch (random.nextInt(4)) {
      case 0 -> { }
      case 1 -> request.putHeader("content-type", "text/plain");
      default -> request.putHeader("content-type", "application/json");
    }
    if (random.nextInt(4) == 0) {
      // Header values must be visible ASCII, or the client refuses to send them at all.
      request.putHeader("origin", "https://" + word().replaceAll("[^\\x21-\\x7e]", "x") + ".example");
    }
    String body = random.nextBoolean() ? mutate(functionInput()).encode() : mutateText(String.valueOf(randomJson(3)));
    return HttpFunctions.on(httpContext,
        () -> http.request(request).compose(req -> req.send(body)).compose(resp -> resp.body()).mapEmpty());
  }

  private JsonObject streamFrame() {
    JsonObject data = new JsonObject().put("subscriptionId", word()).put("streamName", name()).put("groupId", name());
    if (random.nextBoolean()) {
      data.put("id", name());
    }
    return new JsonObject().put("type", random.nextInt(5) == 0 ? word() : random.nextBoolean() ? "join" : "leave")
        .put("data", data);
  }

  private JsonObject workerFrame() {
    String type = pick(WORKER_TYPES);
    JsonObject frame = new JsonObject().put("type", type);
    switch (type) {
      case "registerfunction", "unregisterfunction" -> frame.put("id", pick(FUNCTIONS));
      case "registertrigger", "unregistertrigger" -> frame.put("id", word()).put("trigger_type", pick(TRIGGER_TYPES))
          .put("function_id", pick(FUNCTIONS)).put("config", new JsonObject().put("stream_name", name())
              .put("topic", word()));
      case "invokefunction" -> {
        frame.put("function_id", pick(FUNCTIONS)).put("data", functionInput());
        if (random.nextBoolean()) {
          frame.put("invocation_id", java.util.UUID.randomUUID().toString());
        }
        if (random.nextInt(4) == 0) {
          frame.put("action", new JsonObject().put("type", random.nextBoolean() ? "void" : "enqueue").put("queue", word()));
        }
      }
      case "invocationresult" -> frame.put("invocation_id", java.util.UUID.randomUUID().toString())
          .put("function_id", pick(FUNCTIONS)).put("result", randomJson(2));
      case "reattach" -> frame.put("previous_worker_id", java.util.UUID.randomUUID().toString()).put("reattach_token", word());
      default -> { }
    }
    return frame;
  }

  private JsonObject functionInput() {
    JsonObject in = new JsonObject().put("stream_name", name()).put("group_id", name()).put("item_id", name())
        .put("data", randomJson(2)).put("topic", word()).put("type", word());
    if (random.nextBoolean()) {
      in.put("ops", new JsonArray().add(new JsonObject().put("type", pick(new String[] {"set", "merge", "increment",
          "decrement", "remove", "append", word()})).put("path", word()).put("value", randomJson(1)).put("by", random.nextInt())));
    }
    return in;
  }

  /** Replaces, removes or retypes one field, recursively into nested objects. */
  private JsonObject mutate(JsonObject obj) {
    List<String> keys = new ArrayList<>(obj.fieldNames());
    int rounds = random.nextInt(3);
    for (int r = 0; r < rounds && !keys.isEmpty(); r++) {
      String key = keys.get(random.nextInt(keys.size()));
      switch (random.nextInt(4)) {
        case 0 -> obj.remove(key);
        case 1 -> obj.put(key, randomJson(2));
        case 2 -> {
          if (obj.getValue(key) instanceof JsonObject child) {
            mutate(child);
          }
        }
        default -> obj.put(word(), randomJson(1));
      }
    }
    return obj;
  }

  private String mutateText(String text) {
    StringBuilder s = new StringBuilder(text);
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits && s.length() > 0; i++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(3)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, (char) random.nextInt(0x3000));
        default -> s.setCharAt(at, SPECIAL.charAt(random.nextInt(SPECIAL.length())));
      }
    }
    return s.toString();
  }

  private Object randomJson(int depth) {
    switch (depth <= 0 ? random.nextInt(5) : random.nextInt(7)) {
      case 0: return null;
      case 1: return random.nextBoolean();
      case 2: return random.nextInt(5) == 0 ? (Object) Long.MAX_VALUE : random.nextInt();
      case 3: return random.nextDouble() * 1e6;
      case 4: return word();
      case 5: {
        JsonArray a = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomJson(depth - 1));
        }
        return a;
      }
      default: {
        JsonObject o = new JsonObject();
        for (int i = random.nextInt(4); i > 0; i--) {
          o.put(word(), randomJson(depth - 1));
        }
        return o;
      }
    }
  }

  /** A stream, group or item name: never the sentinel's. */
  private String name() {
    String n = random.nextInt(10) == 0 ? "x".repeat(random.nextInt(400)) : word();
    return n.equals(SENTINEL) ? "not-" + n : n;
  }

  private String word() {
    int len = random.nextInt(12);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < len; i++) {
      s.append(random.nextInt(8) == 0 ? (char) (0x20 + random.nextInt(0x2fff)) : (char) ('a' + random.nextInt(26)));
    }
    String w = s.toString();
    return w.equals(SENTINEL) ? "not-" + w : w;
  }

  /** The public listener's auth function: {@code ?token=good-N} gets grant set N, anything else is refused. */
  private static Future<io.streamnode.function.FunctionResult> publicAuth(Object input) {
    JsonArray token = ((JsonObject) input).getJsonObject("query_params").getJsonArray("token");
    String t = token == null || token.isEmpty() ? "" : String.valueOf(token.getValue(0));
    JsonObject grants = switch (t) {
      case "good-0" -> new JsonObject();
      case "good-1" -> new JsonObject().put("function_registration_prefix", "fuzz");
      case "good-2" -> new JsonObject().put("allowed_trigger_types", new JsonArray().add("stream"))
          .put("forbidden_functions", new JsonArray().add("stream::list"));
      case "good-3" -> new JsonObject().put("allow_function_registration", false)
          .put("allowed_functions", new JsonArray().add("stream::get"));
      default -> null;
    };
    return grants == null ? Future.failedFuture(new io.streamnode.function.FunctionException(
        io.streamnode.function.ErrorCode.UNAUTHORIZED, "bad token")) : Future.succeededFuture(io.streamnode.function.FunctionResult.of(grants));
  }

  private String publicQuery() {
    return "?token=" + (random.nextInt(4) == 0 ? word() : "good-" + random.nextInt(4));
  }

  private String maybeQuery() {
    return random.nextInt(3) == 0 ? "?" + word() + "=" + word() : "";
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }
}
