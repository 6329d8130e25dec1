package io.streamnode.ops;

import io.streamnode.cluster.ClusterMember;
import io.streamnode.config.NodeOptions;
import io.streamnode.metrics.NodeMetrics;
import io.streamnode.store.redis.RedisStorageOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * Whether this node can serve ({@code GET /ready}): its sockets are bound (the node has started
 * and is not stopping), its adapter answers (the redis adapter's server answers a PING within
 * {@link #PROBE_TIMEOUT_MS}), and, in a cluster, its Hazelcast member runs. The reasons are
 * short codes, never an address or a message from below, so the answer helps no attacker.
 */
public final class Readiness {

  /** How long the Redis PING of one probe may take (ms). */
  public static final long PROBE_TIMEOUT_MS = 1000;

  private final Vertx vertx;
  private final ClusterMember member;
  private final Redis redis;
  private volatile boolean started;
  private volatile boolean stopping;

  public Readiness(Vertx vertx, NodeOptions options, ClusterMember member) {
    this.vertx = vertx;
    this.member = member;
    if ("redis".equals(options.getAdapter().getName())) {
      RedisStorageOptions redisOptions = new RedisStorageOptions(options.getAdapter().getConfig());
      // One connection of its own: a probe must not queue behind the store's commands.
      redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisOptions.getRedisUrl())
          .setMaxPoolSize(1).setMaxPoolWaiting(16));
    } else {
      redis = null;
    }
  }

  /** Every listener is bound. */
  public void started() {
    started = true;
  }

  /** The node is closing: not ready any more, so that balancers stop sending to it first. */
  public void stopping() {
    stopping = true;
  }

  /** {@code {"status":"ready"}} or {@code {"status":"unavailable","reasons":[..]}}; never fails. */
  public Future<JsonObject> check() {
    JsonArray reasons = new JsonArray();
    if (stopping) {
      reasons.add("stopping");
    } else if (!started) {
      reasons.add("starting");
    }
    if (member != null) {
      boolean running = member.hazelcast().getLifecycleService().isRunning();
      NodeMetrics.clusterMembers(running ? member.hazelcast().getCluster().getMembers().size() : 0);
      if (!running) {
        reasons.add("cluster_not_joined");
      }
    } else {
      NodeMetrics.clusterMembers(1);
    }
    return pingRedis().map(redisUp -> {
      NodeMetrics.redisReachable(redisUp);
      if (!redisUp) {
        reasons.add("adapter_unreachable");
      }
      return reasons.isEmpty() ? new JsonObject().put("status", "ready")
          : new JsonObject().put("status", "unavailable").put("reasons", reasons);
    });
  }

  private Future<Boolean> pingRedis() {
    if (redis == null) {
      return Future.succeededFuture(true);
    }
    Promise<Boolean> answered = Promise.promise();
    long timer = vertx.setTimer(PROBE_TIMEOUT_MS, t -> answered.tryComplete(false));
    redis.send(Request.cmd(Command.PING)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      answered.tryComplete(ar.succeeded());
    });
    return answered.future();
  }

  public Future<Void> close() {
    if (redis != null) {
      redis.close();
    }
    return Future.succeededFuture();
  }
}
