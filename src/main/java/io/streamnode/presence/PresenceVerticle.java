package io.streamnode.presence;

import com.hazelcast.core.HazelcastInstance;
import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.store.GroupKey;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Presence on one node (deploy one instance): records the joins and leaves its gateway reports in
 * the {@link PresenceDirectory} (a Hazelcast multimap in a cluster, a Redis hash per group with
 * the redis adapter, a map on a single node),
 * serves {@code streamnode::presence {stream_name, group_id}} from it, and once per
 * {@code presence.notice_interval_ms} publishes, per group that changed, one coalesced notice to
 * every node's gateway, which passes it to the subscriptions that joined with
 * {@code "presence": true}.
 */
public class PresenceVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(PresenceVerticle.class.getName());

  private final PresenceOptions options;
  private final LimitsOptions limits;
  private final String node;
  private final HazelcastInstance hazelcast;
  private final String redisUrl;
  private PresenceDirectory directory;
  private MessageConsumer<JsonObject> changes;
  private MessageConsumer<Object> function;
  private long timer = -1;
  /** Joins and leaves seen since the last notice, per group. */
  private final Map<GroupKey, Pending> pending = new LinkedHashMap<>();

  /**
   * @param node this node's id as entries name it (the Hazelcast member uuid in a cluster)
   * @param hazelcast the cluster's Hazelcast, or {@code null} when not clustered
   * @param redisUrl the redis adapter's server when not clustered (nodes sharing a Redis), else {@code null}
   */
  public PresenceVerticle(PresenceOptions options, LimitsOptions limits, String node, HazelcastInstance hazelcast,
                          String redisUrl) {
    this.options = options;
    this.limits = limits;
    this.node = node;
    this.hazelcast = hazelcast;
    this.redisUrl = redisUrl;
  }

  @Override
  public Future<?> start() {
    if (hazelcast != null) {
      directory = new HazelcastPresenceDirectory(vertx, hazelcast);
    } else if (redisUrl != null) {
      directory = new RedisPresenceDirectory(vertx, redisUrl, node);
    } else {
      directory = new LocalPresenceDirectory();
    }
    FunctionBus functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    changes = vertx.eventBus().localConsumer(PresenceAddresses.CHANGES, msg -> onChange(msg.body()));
    // Each node answers its own callers from the shared directory: no scatter-gather.
    function = functions.registerLocal(PresenceAddresses.FUNCTION, this::presence);
    if (options.getNoticeIntervalMs() > 0) {
      timer = vertx.setPeriodic(options.getNoticeIntervalMs(), t -> sendNotices());
    }
    return Future.all(changes.completion(), function.completion());
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return Future.join(changes.unregister(), function.unregister()).eventually(directory::close);
  }

  private void onChange(JsonObject change) {
    String stream = change.getString("stream_name");
    String group = change.getString("group_id");
    String key = node + "/" + change.getString("key");
    Pending p = pending.computeIfAbsent(new GroupKey(stream, group), k -> new Pending());
    if ("join".equals(change.getString("op"))) {
      JsonObject entry = change.getJsonObject("entry").put("node", node);
      directory.add(stream, group, key, entry).onFailure(err -> LOG.warning("presence: add failed: " + err));
      p.joins++;
      if (p.joined.size() < options.getMaxNoticeEntries()) {
        p.joined.add(entry);
      }
    } else {
      directory.remove(stream, group, key).onFailure(err -> LOG.warning("presence: remove failed: " + err));
      p.leaves++;
      if (p.left.size() < options.getMaxNoticeEntries()) {
        p.left.add(new JsonObject().put("subscription_id", change.getString("subscription_id")).put("node", node));
      }
    }
  }

  private void sendNotices() {
    if (pending.isEmpty()) {
      return;
    }
    Map<GroupKey, Pending> batch = new LinkedHashMap<>(pending);
    pending.clear();
    batch.forEach((g, p) -> directory.count(g.stream(), g.group()).onComplete(count -> {
      JsonObject notice = new JsonObject().put("stream_name", g.stream()).put("group_id", g.group())
          .put("count", count.succeeded() ? count.result() : null)
          .put("joined", p.joined).put("left", p.left)
          .put("truncated", p.joins > p.joined.size() || p.leaves > p.left.size());
      directory.publish(vertx, notice);
    }));
  }

  /** {@code streamnode::presence {stream_name, group_id}} -> {@code {count, subscriptions:[..]}}. */
  private Future<FunctionResult> presence(Object input) {
    String f = PresenceAddresses.FUNCTION;
    if (!(input instanceof JsonObject in)) {
      throw FunctionException.badInput(f, "invalid type: expected a map");
    }
    String stream = name(in, "stream_name");
    String group = name(in, "group_id");
    return directory.list(stream, group).map(entries -> FunctionResult.of(new JsonObject()
        .put("count", entries.size()).put("subscriptions", new JsonArray(entries))));
  }

  private String name(JsonObject in, String key) {
    Object v = in.getValue(key);
    if (v == null) {
      throw FunctionException.badInput(PresenceAddresses.FUNCTION,
          in.containsKey(key) ? "invalid type: null, expected a string" : "missing field `" + key + "`");
    }
    if (!(v instanceof String s)) {
      throw FunctionException.badInput(PresenceAddresses.FUNCTION, "invalid type for `" + key + "`, expected a string");
    }
    if (s.getBytes(StandardCharsets.UTF_8).length > limits.getMaxNameBytes()) {
      throw new FunctionException(ErrorCode.INVALID_NAME,
          "`" + key + "` is longer than " + limits.getMaxNameBytes() + " bytes (limits.max_name_bytes)");
    }
    return s;
  }

  private static final class Pending {
    final JsonArray joined = new JsonArray();
    final JsonArray left = new JsonArray();
    int joins;
    int leaves;
  }
}
