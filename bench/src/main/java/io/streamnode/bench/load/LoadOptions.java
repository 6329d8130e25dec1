package io.streamnode.bench.load;

import java.util.ArrayList;
import java.util.List;

/** One load-generator run, from {@code --key=value} flags (each with its default). */
public final class LoadOptions {

  /** streamnode | ceiling | socketio | nchan | centrifugo: picks the subscriber protocol, the publisher and the heap probe. */
  String server = "streamnode";
  /** Scenario name written into the results. */
  String scenario = "headline";
  /** Server process id (CPU, RSS, heap are read from it). */
  long pid;
  /**
   * More server processes whose CPU is added to {@code pid}'s (the cross-node scenario: the
   * publisher's node besides the subscribers' node), comma-separated.
   */
  List<Long> extraPids = new ArrayList<>();
  /**
   * http (the server's HTTP API, the default: POST /functions/stream::set, or the peer's publish:
   * Nchan's POST /pub/&lt;channel&gt;, Centrifugo's POST /api/publish) | worker (iii worker socket, streamnode).
   */
  String publisher = "http";
  /** Centrifugo's HTTP API key (its config's {@code http_api.key}), sent as {@code X-API-Key}. */
  String apiKey = "";
  /** The worker socket's port, for {@code --publisher=worker}. */
  int workerPort = 49134;
  int socketPort = 3112;
  int apiPort = 3111;
  /** Groups the subscribers spread over, round robin. */
  int groups = 1;
  /** Subscriber connections in all (one subscription each). */
  int connections = 1000;
  /** Percent of the subscribers that join one item instead of the whole group. */
  int itemPercent = 0;
  /** Items per group the publisher cycles through. */
  int items = 10;
  /** Published value size in bytes (approximate: the JSON of {"t":..,"pad":".."}). */
  int payload = 256;
  /** Publish rates (stream calls per second, all groups together), one measured step each. */
  List<Double> rates = new ArrayList<>(List.of(40.0));
  /**
   * Rates run after {@code rates} on the same server and subscribers, one short window each, written
   * as scenario {@code saturation} (the latency-vs-rate curve without a server start, connect and
   * JIT warm-up of its own). Empty: none.
   */
  List<Double> sweepRates = new ArrayList<>();
  /** Seconds of publishing at a sweep rate before its window (the server is warm already). */
  double sweepWarmup = 1;
  /** Seconds of each sweep window. */
  double sweepMeasure = 6;
  /**
   * Local addresses the subscribers connect from, round robin (127.0.0.2, 127.0.0.3, ...): one
   * address has about 28,000 ephemeral ports towards one server port. Empty: the kernel's choice.
   */
  List<String> sourceAddresses = new ArrayList<>();
  /** set | set,update: the functions the publisher alternates between. */
  List<String> mix = List.of("set");
  /** Seconds of publishing before each measured window. */
  double warmup = 10;
  /** Seconds of each measured window. */
  double measure = 20;
  /** Publish calls in flight at most; a call due beyond it is skipped and counted. */
  int maxInflight = 256;
  /** stream::set calls made before the first warm-up, to a group nobody joined, so the JIT has compiled the publish path. */
  int prewarm = 0;
  /** Back-to-back measured windows per step (after one warm-up); the median one by CPU per message is kept. */
  int windows = 1;
  /** Seconds the warm-up may be extended while the server's JIT compiler threads are still busy. */
  double jitSettle = 0;
  /** HTTP connections of the publisher. */
  int publishConnections = 16;
  /** Connection attempts in flight at most while connecting. */
  int connectConcurrency = 100;
  /** Seconds allowed to connect everything. */
  double connectTimeout = 180;
  /** Idle scenario: connect, then measure memory per connection instead of publishing. */
  boolean idle;
  /** Also measure the server's live heap and RSS before and after connecting (as idle does), then publish. */
  boolean memory;
  /** Reconnect storm: items in the one group before the subscribers join (their full sync). */
  int stormItems = 10_000;
  /** Reconnect storm: seconds between closing every socket and reconnecting them all. */
  double stormGap = 2;
  /** Reconnect storm: seconds allowed, per variant, for every subscriber to be live again. */
  double stormTimeout = 120;
  /** Reconnect storm: the variants, in order: since (resume from the last position), full (iii's plain join). */
  List<String> stormVariants = List.of("since", "full");
  /** Reconnect storm: one unmeasured storm with since first, so the server's recovery path is compiled (JIT). */
  boolean stormWarmup;
  /** Results file: one JSON object a line, appended. */
  String out = "bench/results/results.jsonl";

  static LoadOptions parse(String[] args) {
    LoadOptions o = new LoadOptions();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("expected --key=value, got " + arg);
      }
      String key = arg.substring(2, arg.indexOf('='));
      String v = arg.substring(arg.indexOf('=') + 1);
      switch (key) {
        case "server" -> o.server = v;
        case "scenario" -> o.scenario = v;
        case "pid" -> o.pid = Long.parseLong(v);
        case "extra-pids" -> {
          o.extraPids = new ArrayList<>();
          for (String p : v.split(",")) {
            if (!p.isBlank()) {
              o.extraPids.add(Long.parseLong(p));
            }
          }
        }
        case "publisher" -> o.publisher = v;
        case "api-key" -> o.apiKey = v;
        case "worker-port" -> o.workerPort = Integer.parseInt(v);
        case "socket-port" -> o.socketPort = Integer.parseInt(v);
        case "api-port" -> o.apiPort = Integer.parseInt(v);
        case "groups" -> o.groups = Integer.parseInt(v);
        case "connections" -> o.connections = Integer.parseInt(v);
        case "item-percent" -> o.itemPercent = Integer.parseInt(v);
        case "items" -> o.items = Integer.parseInt(v);
        case "payload" -> o.payload = Integer.parseInt(v);
        case "rates" -> o.rates = doubles(v);
        case "sweep-rates" -> o.sweepRates = doubles(v);
        case "sweep-warmup" -> o.sweepWarmup = Double.parseDouble(v);
        case "sweep-measure" -> o.sweepMeasure = Double.parseDouble(v);
        case "source-addresses" -> o.sourceAddresses = v.isBlank() ? new ArrayList<>() : List.of(v.split(","));
        case "mix" -> o.mix = List.of(v.split(","));
        case "warmup" -> o.warmup = Double.parseDouble(v);
        case "measure" -> o.measure = Double.parseDouble(v);
        case "max-inflight" -> o.maxInflight = Integer.parseInt(v);
        case "prewarm" -> o.prewarm = Integer.parseInt(v);
        case "windows" -> o.windows = Integer.parseInt(v);
        case "jit-settle" -> o.jitSettle = Double.parseDouble(v);
        case "publish-connections" -> o.publishConnections = Integer.parseInt(v);
        case "connect-concurrency" -> o.connectConcurrency = Integer.parseInt(v);
        case "connect-timeout" -> o.connectTimeout = Double.parseDouble(v);
        case "idle" -> o.idle = Boolean.parseBoolean(v);
        case "memory" -> o.memory = Boolean.parseBoolean(v);
        case "storm-items" -> o.stormItems = Integer.parseInt(v);
        case "storm-gap" -> o.stormGap = Double.parseDouble(v);
        case "storm-timeout" -> o.stormTimeout = Double.parseDouble(v);
        case "storm-variants" -> o.stormVariants = List.of(v.split(","));
        case "storm-warmup" -> o.stormWarmup = Boolean.parseBoolean(v);
        case "out" -> o.out = v;
        default -> throw new IllegalArgumentException("unknown option --" + key);
      }
    }
    if (o.pid <= 0) {
      throw new IllegalArgumentException("--pid=PID of the server is required");
    }
    if (!List.of("since", "full").containsAll(o.stormVariants)) {
      throw new IllegalArgumentException("--storm-variants: since and/or full, got " + o.stormVariants);
    }
    if (!List.of("http", "worker").contains(o.publisher)) {
      throw new IllegalArgumentException("--publisher: http or worker, got " + o.publisher);
    }
    return o;
  }

  private static List<Double> doubles(String csv) {
    List<Double> out = new ArrayList<>();
    for (String r : csv.split(",")) {
      if (!r.isBlank()) {
        out.add(Double.parseDouble(r));
      }
    }
    return out;
  }
}
