package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.testing.Bounded;
import io.streamnode.testing.GroupView;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * What the end-to-end Redis tests do as clients, as blocking calls with bounded waits (tests run
 * off the event loop): join with positions or with {@code since}, call functions through a node,
 * read what a socket knows of the group, and send raw commands to the test's redis-server.
 */
final class RedisClients {

  static final String GROUP = "g";

  private final Vertx vertx;
  private final TwoRedisNodes nodes;
  final String stream;

  RedisClients(Vertx vertx, TwoRedisNodes nodes, String stream) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.stream = stream;
  }

  /** A socket on {@code node} joined to the group with {@code positions: true}, its sync received. */
  TestSocket subscriber(StreamNode node) {
    TestSocket s = Bounded.await(nodes.socket(vertx, node), 30);
    JsonObject join = TestSocket.command("join", "sub", stream, GROUP, null);
    join.getJsonObject("data").put("positions", true);
    Bounded.await(s.send(join), 30);
    Bounded.await(s.frame(0), 30);
    return s;
  }

  /** A socket on {@code node} joined with {@code since}; nothing awaited. */
  TestSocket resume(StreamNode node, GroupPosition since) {
    TestSocket s = Bounded.await(nodes.socket(vertx, node), 30);
    JsonObject join = TestSocket.command("join", "sub", stream, GROUP, null);
    join.getJsonObject("data").put("since", since.toJson());
    Bounded.await(s.send(join), 30);
    return s;
  }

  static GroupView view(TestSocket socket, String stream) {
    return GroupView.of(socket.received(), stream, GROUP);
  }

  GroupView view(TestSocket socket) {
    return view(socket, stream);
  }

  Object set(HttpFunctions http, String item, Object data) {
    return Bounded.await(http.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", GROUP)
        .put("item_id", item).put("data", data)), 30);
  }

  Object delete(HttpFunctions http, String item) {
    return Bounded.await(http.call("stream::delete", new JsonObject().put("stream_name", stream).put("group_id", GROUP)
        .put("item_id", item)), 30);
  }

  Object send(HttpFunctions http, Object data) {
    return Bounded.await(http.call("stream::send", new JsonObject().put("stream_name", stream).put("group_id", GROUP)
        .put("type", "note").put("data", data)), 30);
  }

  /** Sets {@code item} until a call succeeds (the node's command connections come back after an outage). */
  void setOnceBack(HttpFunctions http, String item, Object data) {
    Bounded.until(20, () -> {
      try {
        set(http, item, data);
        return true;
      } catch (AssertionError notYet) {
        return false;
      }
    }, () -> "a set through the node never succeeded again");
  }

  /** One command to a redis-server, as an operator would send it. */
  static Response command(Vertx vertx, String url, String... args) {
    Redis client = Redis.createClient(vertx, url);
    try {
      Request request = Request.cmd(Command.create(args[0]));
      for (int i = 1; i < args.length; i++) {
        request.arg(args[i]);
      }
      return Bounded.await(client.send(request), 30);
    } finally {
      client.close();
    }
  }
}
