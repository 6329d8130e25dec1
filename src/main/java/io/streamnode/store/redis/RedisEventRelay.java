package io.streamnode.store.redis;

import io.streamnode.store.StoreAddresses;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.logging.Logger;

/**
 * This node's end of the event channel: one subscriber connection that turns each message on
 * the channel into a {@link StreamEvent} published on the local group address, in the order
 * Redis delivers them (the order the scripts stored the writes in). Resubscribes after losing
 * the connection; events published while it was away never reach this node, so on resubscribing it
 * asks the gateways to check their subscriptions' positions ({@link StoreAddresses#POSITIONS_SUSPECT}).
 *
 * <p>Payload: {@code [offset,"epoch","stream","group","id"|null]} then a newline then the wrapper JSON.
 */
final class RedisEventRelay {

  private static final Logger LOG = Logger.getLogger(RedisEventRelay.class.getName());

  private final Vertx vertx;
  private final RedisStorageOptions options;
  private final RedisHealth health;
  private final EventBus eventBus;
  private final Redis client;
  private RedisConnection connection;
  private long retryTimer = -1;
  private boolean closed;
  private boolean everSubscribed;

  RedisEventRelay(Vertx vertx, RedisStorageOptions options, RedisOptions redisOptions, RedisHealth health) {
    this.vertx = vertx;
    this.options = options;
    this.health = health;
    this.eventBus = vertx.eventBus();
    this.client = Redis.createClient(vertx, new RedisOptions(redisOptions).setMaxPoolSize(1));
  }

  /** Subscribes; fails if Redis cannot be reached now. */
  Future<Void> start() {
    return subscribe();
  }

  Future<Void> close() {
    closed = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    RedisConnection c = connection;
    connection = null;
    return (c == null ? Future.<Void>succeededFuture() : c.close().otherwiseEmpty()).eventually(client::close);
  }

  private Future<Void> subscribe() {
    return client.connect()
        .timeout(options.getCommandTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .compose(c -> {
          if (closed) {
            return c.close();
          }
          c.handler(this::onMessage);
          c.exceptionHandler(err -> lost(c, err));
          c.endHandler(v -> lost(c, null));
          return c.send(Request.cmd(Command.SUBSCRIBE).arg(options.getChannel()))
              .timeout(options.getCommandTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
              .onFailure(err -> c.close())
              .map(ok -> {
                boolean resumed = everSubscribed;
                everSubscribed = true;
                connection = c;
                health.relay(true, null);
                if (resumed) {
                  // Events published while the subscriber was away never reach this node: have the
                  // gateways check their subscriptions' positions (the stale ones resync).
                  eventBus.publish(StoreAddresses.POSITIONS_SUSPECT, null, new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
                }
                return null;
              });
        });
  }

  private void lost(RedisConnection c, Throwable cause) {
    if (closed || connection != c) {
      return;
    }
    connection = null;
    c.close();
    health.relay(false, cause == null ? new IllegalStateException("subscriber connection closed") : cause);
    retryLater();
  }

  private void retryLater() {
    retryTimer = vertx.setTimer(options.getReconnectIntervalMs(), id -> {
      retryTimer = -1;
      if (!closed) {
        subscribe().onFailure(err -> retryLater());
      }
    });
  }

  private void onMessage(Response message) {
    // RESP2 and RESP3 both deliver ["message", channel, payload]; subscribe confirmations are skipped.
    if (message.size() != 3 || !"message".equals(message.get(0).toString())) {
      return;
    }
    Buffer payload = message.get(2).toBuffer();
    try {
      int newline = indexOf(payload, (byte) '\n');
      JsonArray head = new JsonArray(payload.getBuffer(0, newline));
      StreamEvent event = new StreamEvent(head.getString(2), head.getString(3), head.getString(4), head.getString(1),
          head.getLong(0), System.currentTimeMillis(), payload.getBuffer(newline + 1, payload.length()));
      // Every node runs its own relay, so each delivers to its own sockets only (also in a cluster).
      eventBus.publish(StoreAddresses.group(event.stream(), event.group()), event, StoreAddresses.LOCAL_EVENT_DELIVERY);
    } catch (RuntimeException e) {
      LOG.warning("redis: ignoring a malformed message on " + options.getChannel() + ": " + e);
    }
  }

  private static int indexOf(Buffer buffer, byte b) {
    for (int i = 0; i < buffer.length(); i++) {
      if (buffer.getByte(i) == b) {
        return i;
      }
    }
    throw new IllegalArgumentException("no newline after the routing header");
  }
}
