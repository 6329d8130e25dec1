package io.streamnode.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionResult;
import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamnode::members {}}: the members of the cluster (this node alone when not clustered)
 * with each one's connections, subscriptions and event and delivery totals, and where its stream
 * socket listens. Each member writes its own line every {@link #REPORT_INTERVAL_MS} into a shared
 * Hazelcast map whose entries expire after {@link #ENTRY_TTL_MS}, so a dead member drops out by
 * itself and any member answers without asking the others. The dashboard reads this function.
 */
public class MembersVerticle extends VerticleBase {

  /** How often a member refreshes its line (ms). */
  public static final long REPORT_INTERVAL_MS = 2000;
  /** A line not refreshed for this long is gone (ms). */
  public static final long ENTRY_TTL_MS = 3 * REPORT_INTERVAL_MS;
  /** The shared map's name. */
  public static final String MAP_NAME = "streamnode.members";
  public static final String FUNCTION = "streamnode::members";

  private final NodeOptions options;
  private final String node;
  private final HazelcastInstance hazelcast;
  private final java.util.function.IntSupplier streamSocketPort;
  private IMap<String, String> map;
  private long timer = -1;

  public MembersVerticle(NodeOptions options, String node, HazelcastInstance hazelcast,
                         java.util.function.IntSupplier streamSocketPort) {
    this.options = options;
    this.node = node;
    this.hazelcast = hazelcast;
    this.streamSocketPort = streamSocketPort;
  }

  @Override
  public Future<?> start() {
    FunctionBus functions = new FunctionBus(vertx, options.getLimits().getCallTimeoutMs());
    if (hazelcast != null) {
      map = hazelcast.getMap(MAP_NAME);
      timer = vertx.setPeriodic(0, REPORT_INTERVAL_MS, t -> {
        String line = line().encode();
        vertx.executeBlocking(() -> map.put(node, line, ENTRY_TTL_MS, TimeUnit.MILLISECONDS));
      });
    }
    return functions.registerLocal(FUNCTION, input -> members()).completion();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (map != null && hazelcast.getLifecycleService().isRunning()) {
      return vertx.executeBlocking(() -> map.remove(node));
    }
    return Future.succeededFuture();
  }

  private JsonObject line() {
    int port;
    try {
      port = streamSocketPort.getAsInt();
    } catch (RuntimeException notYet) {
      port = -1;
    }
    return NodeMetrics.snapshot().put("node", node)
        .put("stream_socket", new JsonObject().put("host", options.getStreamSocket().getHost()).put("port", port))
        .put("reported_at", System.currentTimeMillis());
  }

  private Future<FunctionResult> members() {
    if (map == null) {
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("count", 1)
          .put("members", new JsonArray().add(line()))));
    }
    return vertx.executeBlocking(() -> {
      List<JsonObject> lines = new ArrayList<>();
      for (String text : map.values()) {
        lines.add(new JsonObject(text));
      }
      lines.sort(Comparator.comparing(l -> l.getString("node")));
      return lines;
    }).map(lines -> {
      // Our own line fresh, not as of the last report.
      lines.removeIf(l -> node.equals(l.getString("node")));
      lines.add(line());
      return FunctionResult.of(new JsonObject().put("count", lines.size()).put("members", new JsonArray(lines)));
    });
  }
}
