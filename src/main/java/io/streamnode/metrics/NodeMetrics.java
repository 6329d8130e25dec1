package io.streamnode.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * The node's meters, in one Prometheus registry per JVM (a node is one JVM in production; nodes
 * sharing a JVM in tests share the counts). Components call the static hooks below: each is one
 * increment of a meter created once, so the hot paths (fan-out, function calls) allocate nothing.
 * Labels are low-cardinality by construction: never a stream, group, item or client name; function
 * ids are bounded ({@link #MAX_FUNCTION_LABELS}, then {@code _other}).
 */
public final class NodeMetrics {

  /** Distinct function ids given their own label; calls of further ids count as {@code _other}. */
  public static final int MAX_FUNCTION_LABELS = 500;

  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private static final AtomicLong STREAM_CONNECTIONS = gauge("streamnode_stream_connections",
      "Open stream-socket WebSocket connections");
  private static final AtomicLong WORKER_CONNECTIONS = gauge("streamnode_worker_connections",
      "Open worker-socket connections (iii SDK workers)");
  private static final AtomicLong SUBSCRIPTIONS = gauge("streamnode_subscriptions",
      "Stream-socket subscriptions (joins) open on this node");
  private static final AtomicLong SUBSCRIBED_GROUPS = gauge("streamnode_subscribed_groups",
      "Groups with at least one subscriber on this node (per gateway instance)");

  private static final AtomicLong REDIS_UP = gauge("streamnode_redis_up",
      "1 when the redis adapter's server answered the last readiness probe, 0 when not; absent adapter: 1");
  private static final AtomicLong CLUSTER_MEMBERS = gauge("streamnode_cluster_members",
      "Members of the cluster as this node sees them (1 for a single node)");

  private static final Counter EVENTS_CREATE = events("create");
  private static final Counter EVENTS_UPDATE = events("update");
  private static final Counter EVENTS_DELETE = events("delete");
  private static final Counter EVENTS_CUSTOM = events("event");
  private static final Counter FRAMES_DELIVERED = Counter.builder("streamnode_frames_delivered")
      .description("Event frames written to stream-socket subscribers").register(REGISTRY);
  private static final Counter BYTES_DELIVERED = Counter.builder("streamnode_delivered_bytes")
      .description("Bytes of the event frames written to stream-socket subscribers").register(REGISTRY);
  private static final Counter SLOW_STREAM = slow("stream");
  private static final Counter SLOW_WORKER = slow("worker");
  private static final Counter RESYNCS = Counter.builder("streamnode_resyncs")
      .description("Joins answered with a full resync of the group").register(REGISTRY);
  private static final Counter RECOVERIES = Counter.builder("streamnode_recoveries")
      .description("Joins that recovered the missed events from a position").register(REGISTRY);
  private static final Counter TRIGGER_CALLS = Counter.builder("streamnode_trigger_calls")
      .description("Trigger functions called (stream, stream:join, stream:leave, subscribe)").register(REGISTRY);
  private static final Counter TRIGGER_DROPS = Counter.builder("streamnode_trigger_drops")
      .description("Stream-trigger calls dropped at limits.max_pending_trigger_calls").register(REGISTRY);

  private static final ConcurrentHashMap<String, FunctionMeters> FUNCTIONS = new ConcurrentHashMap<>();
  private static final FunctionMeters UNKNOWN_FUNCTION = new FunctionMeters("_unknown");
  private static final FunctionMeters OTHER_FUNCTION = new FunctionMeters("_other");

  private NodeMetrics() {
  }

  /** The registry {@code GET /metrics} scrapes; Vert.x's own meters join it when Main enables them. */
  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }

  /** The Prometheus text exposition of every meter. */
  public static String scrape() {
    return REGISTRY.scrape();
  }

  /**
   * A Vert.x builder whose Vert.x reports its own meters (event bus, HTTP servers, pools; JVM
   * memory, GC and threads when {@code metrics.jvm}) into the same registry, when metrics are on.
   */
  public static VertxBuilder vertxBuilder(VertxOptions vertxOptions, MetricsOptions options) {
    if (!options.isEnabled()) {
      return Vertx.builder().with(vertxOptions);
    }
    vertxOptions.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(options.isJvm()));
    return Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory(REGISTRY));
  }

  /** Registers a gauge computed on each scrape (e.g. cluster members); replaces none, first wins. */
  public static void gauge(String name, String description, DoubleSupplier value) {
    Gauge.builder(name, value::getAsDouble).description(description).register(REGISTRY);
  }

  /**
   * This JVM's headline numbers, as {@code streamnode::members} reports them: the gauges and the
   * event and delivery counters (totals; rates are their differences over time).
   */
  public static io.vertx.core.json.JsonObject snapshot() {
    return new io.vertx.core.json.JsonObject()
        .put("connections", STREAM_CONNECTIONS.get())
        .put("worker_connections", WORKER_CONNECTIONS.get())
        .put("subscriptions", SUBSCRIPTIONS.get())
        .put("subscribed_groups", SUBSCRIBED_GROUPS.get())
        .put("events_published", (long) (EVENTS_CREATE.count() + EVENTS_UPDATE.count() + EVENTS_DELETE.count()
            + EVENTS_CUSTOM.count()))
        .put("frames_delivered", (long) FRAMES_DELIVERED.count());
  }

  // ------------------------------------------------------------------ hooks

  public static void streamConnectionOpened() { STREAM_CONNECTIONS.incrementAndGet(); }
  public static void streamConnectionClosed() { STREAM_CONNECTIONS.decrementAndGet(); }
  public static void workerConnectionOpened() { WORKER_CONNECTIONS.incrementAndGet(); }
  public static void workerConnectionClosed() { WORKER_CONNECTIONS.decrementAndGet(); }
  public static void subscribed() { SUBSCRIPTIONS.incrementAndGet(); }
  public static void unsubscribed() { SUBSCRIPTIONS.decrementAndGet(); }
  public static void groupSubscribed() { SUBSCRIBED_GROUPS.incrementAndGet(); }
  public static void groupUnsubscribed() { SUBSCRIBED_GROUPS.decrementAndGet(); }

  /** An event the store published; {@code type} is the wire type (create, update, delete) or a custom one. */
  public static void eventPublished(String type) {
    switch (type) {
      case "create" -> EVENTS_CREATE.increment();
      case "update" -> EVENTS_UPDATE.increment();
      case "delete" -> EVENTS_DELETE.increment();
      default -> EVENTS_CUSTOM.increment();
    }
  }

  /** A {@code stream::send} event (its own type is the user's, so it is counted as {@code event}). */
  public static void customEventPublished() { EVENTS_CUSTOM.increment(); }

  /** One event frame written to one subscriber. */
  public static void frameDelivered(int bytes) {
    FRAMES_DELIVERED.increment();
    BYTES_DELIVERED.increment(bytes);
  }

  /** Set by each readiness probe (GET /ready, and before each scrape of GET /metrics). */
  public static void redisReachable(boolean up) { REDIS_UP.set(up ? 1 : 0); }
  public static void clusterMembers(int members) { CLUSTER_MEMBERS.set(members); }

  public static void slowStreamConsumerClosed() { SLOW_STREAM.increment(); }
  public static void slowWorkerClosed() { SLOW_WORKER.increment(); }
  public static void resync() { RESYNCS.increment(); }
  public static void recovery() { RECOVERIES.increment(); }
  public static void triggerCalled() { TRIGGER_CALLS.increment(); }
  public static void triggerDropped() { TRIGGER_DROPS.increment(); }

  /**
   * A function call that completed, seen from the caller; {@code startNanos} from
   * {@link System#nanoTime()}, {@code outcome} one of {@code ok}, {@code error}, {@code timeout},
   * {@code not_found} (whose id is labelled {@code _unknown}: callers may send any string).
   */
  public static void functionCall(String functionId, long startNanos, Outcome outcome) {
    FunctionMeters meters = outcome == Outcome.NOT_FOUND ? UNKNOWN_FUNCTION : meters(functionId);
    meters.timers[outcome.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** How a function call ended. */
  public enum Outcome {
    OK("ok"), ERROR("error"), TIMEOUT("timeout"), NOT_FOUND("not_found");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }

  /** Meters of a store operation of an adapter; cache the result (see {@link MeteredStorage}). */
  static Timer storeTimer(String adapter, String operation, String outcome) {
    return Timer.builder("streamnode_store_operation_seconds")
        .description("Store operations by adapter, operation and outcome, with their latency")
        .tags("adapter", adapter, "operation", operation, "outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(REGISTRY);
  }

  private static FunctionMeters meters(String functionId) {
    FunctionMeters meters = FUNCTIONS.get(functionId);
    if (meters != null) {
      return meters;
    }
    if (FUNCTIONS.size() >= MAX_FUNCTION_LABELS) {
      return OTHER_FUNCTION;
    }
    return FUNCTIONS.computeIfAbsent(functionId, FunctionMeters::new);
  }

  private static final class FunctionMeters {
    final Timer[] timers = new Timer[Outcome.values().length];

    FunctionMeters(String functionId) {
      for (Outcome o : Outcome.values()) {
        timers[o.ordinal()] = Timer.builder("streamnode_function_call_seconds")
            .description("Function calls by function id and outcome, with their latency as the caller saw it")
            .tags("function", functionId, "outcome", o.label)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(REGISTRY);
      }
    }
  }

  private static AtomicLong gauge(String name, String description) {
    AtomicLong value = new AtomicLong();
    Gauge.builder(name, value, AtomicLong::get).description(description).register(REGISTRY);
    return value;
  }

  private static Counter events(String type) {
    return Counter.builder("streamnode_events_published").description("Events the store published, by type")
        .tag("type", type).register(REGISTRY);
  }

  private static Counter slow(String socket) {
    return Counter.builder("streamnode_slow_consumer_closes")
        .description("Connections closed because their outbound queue overflowed (limits.outbound_queue_bytes)")
        .tag("socket", socket).register(REGISTRY);
  }

  /** For tests and tools that want a meter by name without scraping. */
  static MeterRegistry meterRegistry() {
    return REGISTRY;
  }
}
