package io.streamnode.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Presence with the redis adapter (nodes that share a Redis, not a Hazelcast cluster): one hash
 * per group ({@code streamnode:presence:["stream","group"]}, field = entry key, value = entry
 * JSON) that every node reads directly. Each node keeps a heartbeat key
 * ({@code streamnode:presence:node:<id>}, TTL {@link #NODE_TTL_MS}) alive every
 * {@link #HEARTBEAT_MS}; a read drops the entries of nodes whose heartbeat has expired, so a
 * killed node's subscriptions disappear within {@link #NODE_TTL_MS}. Notices travel on the
 * channel {@value #NOTICE_CHANNEL}, which each node subscribes to and hands to its gateway.
 */
final class RedisPresenceDirectory implements PresenceDirectory {

  private static final Logger LOG = Logger.getLogger(RedisPresenceDirectory.class.getName());
  /** A node's heartbeat key lives this long without a refresh (ms). */
  static final long NODE_TTL_MS = 5000;
  /** Heartbeat refresh period (ms). */
  static final long HEARTBEAT_MS = 1000;
  static final String PREFIX = "streamnode:presence:";
  static final String NOTICE_CHANNEL = "streamnode:presence:notices";

  private final Vertx vertx;
  private final Redis redis;
  private final String node;
  private final long timer;
  private final String redisUrl;
  private io.vertx.redis.client.RedisConnection subscriber;
  private Redis subscriberClient;
  private boolean closed;
  /** This node's entries: key -> hash key. */
  private final Map<String, String> local = new HashMap<>();

  RedisPresenceDirectory(Vertx vertx, String redisUrl, String node) {
    this.vertx = vertx;
    this.node = node;
    this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(2)
        .setMaxPoolWaiting(1024));
    this.redisUrl = redisUrl;
    heartbeat();
    this.timer = vertx.setPeriodic(HEARTBEAT_MS, t -> heartbeat());
    subscribe();
  }

  /** Subscribes to the notice channel on a connection of its own; again after a loss. */
  private void subscribe() {
    if (closed) {
      return;
    }
    if (subscriberClient != null) {
      subscriberClient.close();
    }
    subscriberClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl));
    subscriberClient.connect().onComplete(ar -> {
      if (ar.failed()) {
        vertx.setTimer(HEARTBEAT_MS, t -> subscribe());
        return;
      }
      subscriber = ar.result();
      subscriber.handler(push -> {
        // ["message", channel, payload] (RESP2) or a push of the same three (RESP3)
        if (push.size() == 3 && "message".equals(push.get(0).toString())) {
          vertx.eventBus().publish(PresenceAddresses.NOTICES, new JsonObject(push.get(2).toString()));
        }
      });
      subscriber.endHandler(v -> vertx.setTimer(HEARTBEAT_MS, t -> subscribe()));
      subscriber.exceptionHandler(err -> { });
      subscriber.send(Request.cmd(Command.SUBSCRIBE).arg(NOTICE_CHANNEL));
    });
  }

  @Override
  public void publish(Vertx vertx, JsonObject notice) {
    redis.send(Request.cmd(Command.PUBLISH).arg(NOTICE_CHANNEL).arg(notice.encode()));
  }

  private void heartbeat() {
    redis.send(Request.cmd(Command.SET).arg(nodeKey(node)).arg("1").arg("PX").arg(NODE_TTL_MS))
        .onFailure(err -> LOG.fine(() -> "presence: heartbeat failed: " + err.getMessage()));
  }

  private static String nodeKey(String node) {
    return PREFIX + "node:" + node;
  }

  private static String hash(String stream, String group) {
    return PREFIX + new JsonArray().add(stream).add(group).encode();
  }

  @Override
  public Future<Void> add(String stream, String group, String key, JsonObject entry) {
    String h = hash(stream, group);
    local.put(key, h);
    return redis.send(Request.cmd(Command.HSET).arg(h).arg(key).arg(entry.encode())).mapEmpty();
  }

  @Override
  public Future<Void> remove(String stream, String group, String key) {
    String h = local.remove(key);
    return h == null ? Future.succeededFuture() : redis.send(Request.cmd(Command.HDEL).arg(h).arg(key)).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> list(String stream, String group) {
    String h = hash(stream, group);
    return redis.send(Request.cmd(Command.HGETALL).arg(h)).compose(all -> {
      Map<String, JsonObject> entries = new HashMap<>();
      for (String field : all.getKeys()) {
        entries.put(field, new JsonObject(all.get(field).toString()));
      }
      LinkedHashSet<String> nodes = new LinkedHashSet<>();
      entries.values().forEach(e -> nodes.add(e.getString("node")));
      if (nodes.isEmpty()) {
        return Future.succeededFuture(List.<JsonObject>of());
      }
      Request mget = Request.cmd(Command.MGET);
      List<String> order = new ArrayList<>(nodes);
      order.forEach(n -> mget.arg(nodeKey(n)));
      return redis.send(mget).map(alive -> {
        List<JsonObject> live = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        entries.forEach((field, e) -> {
          Response beat = alive.get(order.indexOf(e.getString("node")));
          if (beat == null) {
            dead.add(field);
          } else {
            live.add(e);
          }
        });
        if (!dead.isEmpty()) {
          Request hdel = Request.cmd(Command.HDEL).arg(h);
          dead.forEach(hdel::arg);
          redis.send(hdel);
        }
        live.sort(Comparator.comparingLong(e -> e.getLong("joined_at", 0L)));
        return live;
      });
    });
  }

  @Override
  public Future<Integer> count(String stream, String group) {
    return list(stream, group).map(List::size);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(timer);
    if (subscriberClient != null) {
      subscriberClient.close();
    }
    List<Future<?>> removals = new ArrayList<>();
    local.forEach((key, h) -> removals.add(redis.send(Request.cmd(Command.HDEL).arg(h).arg(key))));
    local.clear();
    removals.add(redis.send(Request.cmd(Command.DEL).arg(nodeKey(node))));
    return Future.join(removals).eventually(() -> {
      redis.close();
      return Future.succeededFuture();
    }).mapEmpty();
  }
}
