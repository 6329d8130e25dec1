package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.store.AdapterOptions;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Two standalone (not clustered) nodes, each in its own Vert.x, sharing one Redis: the setting
 * of the redis adapter's fan-out. Each test gets a channel and stream names of its own, so tests
 * never see each other's events even on the shared server. Clients made here are closed before
 * the nodes (a node's servers wait for open connections when they stop).
 */
final class TwoRedisNodes {

  final String channel = "streamnode::test::" + UUID.randomUUID();
  final Vertx otherVertx = Vertx.vertx();
  private final List<Supplier<Future<Void>>> clients = new ArrayList<>();
  StreamNode a;
  StreamNode b;

  /**
   * The nodes' command_timeout_ms. Not the default 2 s: a node's start (connect, load the scripts)
   * against a redis-server that has just started took longer than that on a loaded CI machine, and
   * the node then refused to start.
   */
  static final long COMMAND_TIMEOUT_MS = 10_000;

  static NodeOptions options(String redisUrl, String channel) {
    NodeOptions options = TestNodes.options();
    options.setAdapter(new AdapterOptions().setName("redis").setConfig(new JsonObject().put("redis_url", redisUrl)
        .put("channel", channel).put("command_timeout_ms", COMMAND_TIMEOUT_MS)));
    return options;
  }

  /** A stream name no other test uses. */
  static String uniqueStream(String what) {
    return "test-" + what + "-" + UUID.randomUUID();
  }

  /** Node A in {@code vertx}, node B in a Vert.x of its own. */
  Future<Void> start(Vertx vertx, String redisUrl) {
    return start(vertx, redisUrl, (name, options) -> { });
  }

  /** As {@link #start(Vertx, String)}, each node's options adjusted first ({@code "a"} or {@code "b"}). */
  Future<Void> start(Vertx vertx, String redisUrl, BiConsumer<String, NodeOptions> adjust) {
    NodeOptions optionsA = options(redisUrl, channel);
    NodeOptions optionsB = options(redisUrl, channel);
    adjust.accept("a", optionsA);
    adjust.accept("b", optionsB);
    return TestNodes.start(vertx, optionsA)
        .compose(n -> {
          a = n;
          return TestNodes.start(otherVertx, optionsB);
        })
        .map(n -> {
          b = n;
          return null;
        });
  }

  /** An HTTP function client of {@code node} (one connection: calls are applied in the order made). */
  HttpFunctions http(Vertx vertx, StreamNode node) {
    return http(vertx, node, 1);
  }

  /** An HTTP function client of {@code node} with up to {@code connections} connections. */
  HttpFunctions http(Vertx vertx, StreamNode node, int connections) {
    HttpFunctions http = HttpFunctions.create(vertx, node.httpPort(), connections);
    clients.add(http::close);
    return http;
  }

  /** A socket on {@code node}, closed with the nodes. */
  Future<TestSocket> socket(Vertx vertx, StreamNode node) {
    return TestSocket.connect(vertx, node.streamSocketPort()).map(s -> {
      clients.add(s::close);
      return s;
    });
  }

  /** A socket on {@code node} joined to group {@code g} of {@code stream}, its sync received. */
  Future<TestSocket> subscriber(Vertx vertx, StreamNode node, String stream) {
    return TestSocket.connect(vertx, node.streamSocketPort()).compose(s -> {
      clients.add(s::close);
      return s.join("sub", stream, "g", null).compose(v -> s.frame(0)).map(s);
    });
  }

  Future<Void> close() {
    List<Future<Void>> closing = clients.stream().map(c -> c.get().otherwiseEmpty()).toList();
    return Future.join(closing)
        .transform(v -> a == null ? Future.<Void>succeededFuture() : a.close())
        .transform(v -> b == null ? Future.<Void>succeededFuture() : b.close())
        .eventually(otherVertx::close)
        .mapEmpty();
  }
}
