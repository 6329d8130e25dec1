package io.streamnode.bench.load;

import io.streamnode.bench.client.Protocol;
import io.streamnode.bench.probe.ServerProbe;
import io.streamnode.bench.publish.CentrifugoPublisher;
import io.streamnode.bench.publish.HttpFunctionPublisher;
import io.streamnode.bench.publish.NchanPublisher;
import io.streamnode.bench.publish.Publisher;
import io.streamnode.bench.publish.WorkerSocketPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongUnaryOperator;

/**
 * One load-generator run against one server: connect the subscribers, then either measure memory
 * per idle connection, or publish at each rate in turn and measure a window after a warm-up.
 *
 * <p>Latency is end to end on one clock: every published value carries {@code System.nanoTime()}
 * of its send in {@code "t"}, and the subscriber side (same JVM) subtracts it on arrival.
 * Every loop is bounded: connecting by count and {@code connectTimeout}, publishing by the
 * warm-up and window seconds of each listed rate.
 */
public final class LoadRun {

  private static final String STREAM = "bench";
  private static final byte[] T_KEY = "\"t\":".getBytes(StandardCharsets.US_ASCII);

  private final LoadOptions o;
  private final Vertx vertx;
  private final ServerProbe probe;
  private final Recorder latency = new Recorder(3);
  private final LongAdder delivered = new LongAdder();
  private final AtomicInteger closedEarly = new AtomicInteger();
  /** Why subscriber sockets closed or failed, with counts: "status reason" or "exception ...". */
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> closeReasons = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<WebSocket> sockets = new ArrayList<>();
  /**
   * Held for the whole run: Vert.x closes a client, and every socket it opened, once the client
   * object is garbage collected, which dropped all subscribers ~30 s in (close code 1000).
   */
  /** One client per source address (or one with the kernel's choice); subscriber j uses clients[j % n]. */
  private final List<WebSocketClient> clients = new ArrayList<>();
  /** matches[group][item]: subscriptions an event of that item reaches. */
  private final int[][] matches;
  private volatile boolean measuring;

  private LoadRun(LoadOptions o) {
    this.o = o;
    // The load generator runs pinned to one core; two event loops as Vert.x would pick.
    this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    this.probe = new ServerProbe(o.pid, ServerProbe.ServerRuntime.of(o.server), o.apiPort);
    this.matches = new int[o.groups][o.items];
  }

  public static void main(String[] args) throws Exception {
    LoadOptions o = LoadOptions.parse(args);
    LoadRun run = new LoadRun(o);
    int status = 0;
    try {
      run.run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    // No graceful close of thousands of sockets: the results are written and the server is
    // stopped right after; exiting drops the connections at once.
    System.exit(status);
  }

  private void run() throws Exception {
    Path out = Path.of(o.out);
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    if ("reconnect-storm".equals(o.scenario)) {
      for (JsonObject result : new ReconnectStorm(o, vertx).run()) {
        write(out, result);
      }
      return;
    }
    long heapBefore = o.idle || o.memory ? probe.heapBytesAfterGc() : -1;
    long rssBefore = probe.rssBytes();
    JsonObject connect = connectAll();
    if (o.idle) {
      Thread.sleep(2000);
      JsonObject result = base().put("connect", connect).mergeIn(memory(heapBefore, rssBefore, connect))
          .put("closed_early", closedEarly.get());
      write(out, result);
      return;
    }
    JsonObject memory = new JsonObject();
    if (o.memory) {
      memory = memory(heapBefore, rssBefore, connect);
      System.err.printf("%s %s: %d connected; heap %d -> %d MB, RSS %d -> %d MB%n", o.server, o.scenario,
          connect.getInteger("connected"), heapBefore >> 20, memory.getLong("heap_after") >> 20, rssBefore >> 20,
          memory.getLong("rss_after") >> 20);
    }
    Publisher publisher = publisher();
    if (o.prewarm > 0) {
      prewarm(publisher);
    }
    for (double rate : o.rates) {
      write(out, withConnections(step(publisher, rate, o.scenario, o.warmup, o.windows, o.measure, o.jitSettle), connect)
          .put("memory", memory));
    }
    for (double rate : o.sweepRates) {
      write(out, withConnections(step(publisher, rate, "saturation", o.sweepWarmup, 1, o.sweepMeasure, 0), connect));
    }
    publisher.close();
  }

  /** A step's result with how its subscribers connected and how many were closed, and why. */
  private JsonObject withConnections(JsonObject result, JsonObject connect) {
    return result.put("connect", connect).put("closed_early", closedEarly.get())
        .put("close_reasons", new JsonObject(new java.util.HashMap<>(closeReasons)));
  }

  /** The server's live heap and RSS now against before connecting, and per connected subscriber. */
  private JsonObject memory(long heapBefore, long rssBefore, JsonObject connect) {
    long heapAfter = probe.heapBytesAfterGc();
    long rssAfter = probe.rssBytes();
    int n = connect.getInteger("connected");
    return new JsonObject().put("heap_before", heapBefore).put("heap_after", heapAfter)
        .put("rss_before", rssBefore).put("rss_after", rssAfter)
        .put("heap_per_connection", n == 0 || heapBefore < 0 || heapAfter < 0 ? -1 : (heapAfter - heapBefore) / n)
        .put("rss_per_connection", n == 0 ? -1 : (rssAfter - rssBefore) / n);
  }

  /** The publisher the server takes: its own HTTP API, or streamnode's worker socket when asked. */
  private Publisher publisher() throws Exception {
    if ("worker".equals(o.publisher)) {
      WorkerSocketPublisher worker = new WorkerSocketPublisher(vertx, o.workerPort);
      worker.connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return worker;
    }
    return switch (o.server) {
      case "nchan" -> new NchanPublisher(vertx, o.apiPort, o.publishConnections);
      case "centrifugo" -> new CentrifugoPublisher(vertx, o.apiPort, o.publishConnections, o.apiKey);
      default -> new HttpFunctionPublisher(vertx, o.apiPort, o.publishConnections);
    };
  }

  private JsonObject base() {
    return new JsonObject().put("server", o.server).put("scenario", o.scenario).put("groups", o.groups)
        .put("connections", o.connections).put("item_percent", o.itemPercent).put("payload", o.payload)
        .put("mix", String.join(",", o.mix)).put("max_inflight", o.maxInflight)
        .put("publisher", o.publisher).put("server_processes", 1 + o.extraPids.size());
  }

  /** Connects every subscriber, at most connectConcurrency at once, within connectTimeout. */
  private JsonObject connectAll() throws InterruptedException {
    Protocol protocol = Protocol.named(o.server);
    for (String source : o.sourceAddresses.isEmpty() ? java.util.Collections.<String>singletonList(null) : o.sourceAddresses) {
      WebSocketClientOptions options = new WebSocketClientOptions()
          .setMaxConnections(o.connections + 16).setConnectTimeout(30_000).setTcpNoDelay(true);
      if (source != null) {
        options.setLocalAddress(source);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
    Histogram times = new Histogram(3);
    Semaphore permits = new Semaphore(o.connectConcurrency);
    AtomicInteger failed = new AtomicInteger();
    long deadline = System.nanoTime() + (long) (o.connectTimeout * 1e9);
    long start = System.nanoTime();
    for (int j = 0; j < o.connections; j++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        System.err.println("connect timeout after " + j + " connections");
        break;
      }
      int group = j % o.groups;
      boolean itemLevel = (j % 100) < o.itemPercent;
      int item = (j / o.groups) % o.items;
      if (itemLevel) {
        matches[group][item]++;
      } else {
        for (int i = 0; i < o.items; i++) {
          matches[group][i]++;
        }
      }
      long t0 = System.nanoTime();
      Future<WebSocket> joined = protocol.join(clients.get(j % clients.size()), o.socketPort, "s" + j, STREAM, "g" + group,
          itemLevel ? "i" + item : null, this::onEvent);
      joined.onComplete(ar -> {
        if (ar.succeeded()) {
          WebSocket ws = ar.result();
          ws.closeHandler(v -> {
            closedEarly.incrementAndGet();
            closeReasons.merge(ws.closeStatusCode() + " " + ws.closeReason(), 1, Integer::sum);
          });
          ws.exceptionHandler(t -> closeReasons.merge("exception " + t, 1, Integer::sum));
          synchronized (times) {
            times.recordValue((System.nanoTime() - t0) / 1000);
            sockets.add(ws);
          }
        } else {
          failed.incrementAndGet();
        }
        permits.release();
      });
    }
    long left = deadline - System.nanoTime();
    permits.tryAcquire(o.connectConcurrency, Math.max(left, 1), TimeUnit.NANOSECONDS);
    long totalMs = (System.nanoTime() - start) / 1_000_000;
    synchronized (times) {
      System.err.printf("%s %s: %d connected, %d failed in %d ms%n", o.server, o.scenario, sockets.size(),
          failed.get(), totalMs);
      return new JsonObject().put("connected", sockets.size()).put("failed", failed.get()).put("total_ms", totalMs)
          .put("p50_us", times.getValueAtPercentile(50)).put("p99_us", times.getValueAtPercentile(99))
          .put("max_us", times.getMaxValue());
    }
  }

  private void onEvent(Buffer frame) {
    if (!measuring) {
      return;
    }
    long sent = sentNanos(frame);
    if (sent != Long.MIN_VALUE) {
      latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
    }
    delivered.increment();
  }

  /**
   * JIT warm-up before any window: {@code o.prewarm} {@code stream::set} calls, 32 at a time, to a
   * group nobody joined. At 40 publishes/s a JVM server's publish path would still be compiling
   * during the measured window (C2 compiles a method after thousands of calls), and the compiler
   * threads' CPU would be charged to the messages; every server gets the same warm-up.
   */
  private void prewarm(Publisher publisher) throws Exception {
    long t0 = System.nanoTime();
    int lanes = 32;
    List<Future<Void>> all = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      all.add(prewarmLane(publisher, lane, o.prewarm / lanes));
    }
    Future.join(all).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    System.err.printf("%s %s: pre-warmed with %d calls in %d ms%n", o.server, o.scenario, lanes * (o.prewarm / lanes),
        (System.nanoTime() - t0) / 1_000_000);
  }

  private Future<Void> prewarmLane(Publisher publisher, int lane, int left) {
    if (left == 0) {
      return Future.succeededFuture();
    }
    String pad = "x".repeat(Math.max(0, o.payload - 40));
    return publisher.set(STREAM, "warm", "i" + lane, Buffer.buffer("{\"t\":0,\"pad\":\"" + pad + "\"}"))
        .recover(e -> Future.succeededFuture())
        .compose(v -> prewarmLane(publisher, lane, left - 1));
  }

  /** A window whose server spent more than this share of its CPU in JIT compiler threads is measured again. */
  static final double JIT_REDO_SHARE = 0.05;
  /** At most this many windows of one step are measured again for JIT. */
  static final int MAX_JIT_REDOS = 2;

  /** Publishes at {@code rate} calls/s: warm-up, then {@code windowCount} measured windows, the median kept. */
  private JsonObject step(Publisher publisher, double rate, String scenario, double warmup, int windowCount,
                          double measure, double jitSettle) throws Exception {
    Step s = new Step(publisher, rate);
    s.start();
    Thread.sleep((long) (warmup * 1000));
    double settled = settleJit(jitSettle);
    List<JsonObject> windows = new ArrayList<>();
    JsonArray redone = new JsonArray();
    while (windows.size() < windowCount) {
      JsonObject w = window(s, rate, settled, scenario, measure);
      // A JVM's compiler threads share the server's one core: a window in which they took a real
      // share is warm-up, not the steady state the rows compare; it is measured again (listed).
      if (windowCount > 1 && w.getDouble("server_jit_share") > JIT_REDO_SHARE && redone.size() < MAX_JIT_REDOS) {
        redone.add(new JsonObject().put("cpu_us_per_msg", w.getDouble("cpu_us_per_msg"))
            .put("p99_us", w.getJsonObject("latency_us").getLong("p99")).put("jit_share", w.getDouble("server_jit_share")));
        continue;
      }
      windows.add(w);
    }
    s.stop();
    if (windows.size() == 1) {
      return windows.get(0);
    }
    // Several back-to-back windows on one server: keep the one with the median CPU per message,
    // and every window's figure beside it, so a single unlucky window does not decide a ratio.
    JsonArray cpus = new JsonArray();
    windows.forEach(w -> cpus.add(w.getDouble("cpu_us_per_msg")));
    List<JsonObject> sorted = new ArrayList<>(windows);
    sorted.sort(java.util.Comparator.comparingDouble(w -> w.getDouble("cpu_us_per_msg")));
    return sorted.get(sorted.size() / 2).put("cpu_us_per_msg_windows", cpus).put("jit_redone_windows", redone);
  }

  /** One measured window of a running step. */
  private JsonObject window(Step s, double rate, double settled, String scenario, double measure) throws Exception {
    latency.getIntervalHistogram();
    s.calls.forEach(Recorder::getIntervalHistogram);
    delivered.reset();
    s.resetCounters();
    long cpu0 = serverSum(ServerProbe::cpuMicros);
    long sys0 = serverSum(ServerProbe::systemMicros);
    long jit0 = serverSum(ServerProbe::jitMicros);
    long[] each0 = eachCpu();
    long self0 = ServerProbe.cpuMicros(ProcessHandle.current().pid());
    long busy0 = ServerProbe.machineBusyMicros();
    long t0 = System.nanoTime();
    measuring = true;
    s.measuring = true;
    Thread.sleep((long) (measure * 1000));
    measuring = false;
    s.measuring = false;
    long t1 = System.nanoTime();
    long cpu1 = serverSum(ServerProbe::cpuMicros);
    long sys1 = serverSum(ServerProbe::systemMicros);
    long jit1 = serverSum(ServerProbe::jitMicros);
    long[] each1 = eachCpu();
    long self1 = ServerProbe.cpuMicros(ProcessHandle.current().pid());
    long busy1 = ServerProbe.machineBusyMicros();
    Histogram lat = latency.getIntervalHistogram();
    long got = delivered.sum();
    double seconds = (t1 - t0) / 1e9;
    long cpu = cpu1 - cpu0;
    JsonObject result = base().put("scenario", scenario).put("rate", rate).put("window_s", seconds).put("jit_settle_s", settled)
        .put("published", s.published.sum()).put("published_per_s", s.published.sum() / seconds)
        .put("skipped", s.skipped.sum()).put("publish_errors", s.errors.sum())
        .put("expected_per_s", s.expected.sum() / seconds)
        .put("delivered", got).put("delivered_per_s", got / seconds)
        .put("latency_us", summary(lat))
        .put("server_cpu_us", cpu).put("server_cpu_pct", 100.0 * cpu / 1e6 / seconds)
        .put("cpu_us_per_msg", got == 0 ? -1 : (double) cpu / got)
        .put("server_kernel_share", cpu == 0 ? 0 : (double) (sys1 - sys0) / cpu)
        .put("server_jit_share", cpu == 0 ? 0 : (double) (jit1 - jit0) / cpu)
        .put("loadgen_cpu_pct", 100.0 * (self1 - self0) / 1e6 / seconds)
        .put("rss", probe.rssBytes())
        // Everything else that ran on the machine meanwhile (other users' builds and tests): noise.
        .put("other_cpu_pct", Math.max(0, 100.0 * ((busy1 - busy0) - cpu - (self1 - self0)) / 1e6 / seconds));
    JsonObject calls = new JsonObject();
    for (int i = 0; i < o.mix.size(); i++) {
      Histogram h = s.calls.get(i).getIntervalHistogram();
      calls.put(o.mix.get(i), summary(h).put("count", h.getTotalCount()).put("per_s", h.getTotalCount() / seconds));
    }
    result.put("calls", calls);
    if (!o.extraPids.isEmpty()) {
      io.vertx.core.json.JsonArray each = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < each0.length; i++) {
        each.add(got == 0 ? -1 : (double) (each1[i] - each0[i]) / got);
      }
      result.put("cpu_us_per_msg_by_process", each); // pid first, then extra pids in order
    }
    System.err.printf("%s %s rate %.0f/s: delivered %.0f/s (expected %.0f/s), p50 %d us, p99 %d us, cpu %.2f us/msg"
            + " (JIT %.0f%%, warm-up extended %.0f s)%n",
        o.server, scenario, rate, got / seconds, s.expected.sum() / seconds, lat.getValueAtPercentile(50),
        lat.getValueAtPercentile(99), got == 0 ? -1.0 : (double) cpu / got, cpu == 0 ? 0.0 : 100.0 * (jit1 - jit0) / cpu,
        settled);
    return result;
  }

  /**
   * Extends the warm-up, still publishing, until the server's JIT compiler threads have used less
   * than 2 % of a core over the last 2 s, for at most {@code o.jitSettle} s; returns the seconds
   * added. A JVM compiles what the pre-warm made hot on one or two compiler threads that share the
   * server's core, which can take longer than the warm-up; traffic keeps flowing meanwhile because
   * HotSpot drops queued compilations of methods that stopped being called. A server on another
   * runtime (node, Go, C) reports no compiler threads and is not held.
   */
  private double settleJit(double jitSettle) throws InterruptedException {
    long t0 = System.nanoTime();
    if (jitSettle <= 0 || !probe.compilesJustInTime()) {
      return 0;
    }
    long deadline = t0 + (long) (jitSettle * 1e9);
    while (System.nanoTime() < deadline) {
      long before = serverSum(ServerProbe::jitMicros);
      Thread.sleep(2000);
      if (serverSum(ServerProbe::jitMicros) - before < 40_000) {
        break;
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** {@code perProcess} summed over the server process(es): {@code pid} plus every extra pid. */
  private long serverSum(LongUnaryOperator perProcess) {
    long sum = perProcess.applyAsLong(o.pid);
    for (long p : o.extraPids) {
      sum += perProcess.applyAsLong(p);
    }
    return sum;
  }

  private long[] eachCpu() {
    long[] t = new long[1 + o.extraPids.size()];
    t[0] = ServerProbe.cpuMicros(o.pid);
    for (int i = 0; i < o.extraPids.size(); i++) {
      t[i + 1] = ServerProbe.cpuMicros(o.extraPids.get(i));
    }
    return t;
  }

  private static JsonObject summary(Histogram h) {
    return new JsonObject().put("p50", h.getValueAtPercentile(50)).put("p99", h.getValueAtPercentile(99))
        .put("p999", h.getValueAtPercentile(99.9)).put("max", h.getMaxValue()).put("mean", h.getMean())
        .put("count", h.getTotalCount());
  }

  private static void write(Path out, JsonObject result) throws IOException {
    Files.writeString(out, result.encode() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The nanoTime in the value's {@code "t":} field, or MIN_VALUE when the frame has none. */
  static long sentNanos(Buffer frame) {
    int n = frame.length();
    outer:
    for (int i = 0, last = n - T_KEY.length; i <= last; i++) {
      for (int k = 0; k < T_KEY.length; k++) {
        if (frame.getByte(i + k) != T_KEY[k]) {
          continue outer;
        }
      }
      int p = i + T_KEY.length;
      boolean negative = p < n && frame.getByte(p) == '-';
      if (negative) {
        p++;
      }
      long v = 0;
      for (; p < n; p++) {
        byte b = frame.getByte(p);
        if (b < '0' || b > '9') {
          break;
        }
        v = v * 10 + (b - '0');
      }
      return negative ? -v : v;
    }
    return Long.MIN_VALUE;
  }

  /** The publisher of one rate step: a 1 ms timer that issues the calls due so far. */
  private final class Step {
    final Publisher publisher;
    final double rate;
    final List<Recorder> calls = new ArrayList<>();
    final LongAdder published = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder expected = new LongAdder();
    final String pad;
    volatile boolean measuring;
    long timer;
    long started;
    long issued;
    long seq;
    int inflight;

    Step(Publisher publisher, double rate) {
      this.publisher = publisher;
      this.rate = rate;
      o.mix.forEach(f -> calls.add(new Recorder(3)));
      this.pad = "x".repeat(Math.max(0, o.payload - 40));
    }

    void start() {
      started = System.nanoTime();
      timer = vertx.setPeriodic(1, id -> tick());
    }

    void stop() {
      vertx.cancelTimer(timer);
    }

    void resetCounters() {
      published.reset();
      skipped.reset();
      errors.reset();
      expected.reset();
    }

    private void tick() {
      long due = (long) ((System.nanoTime() - started) * rate / 1e9) - issued;
      // Fallen behind by more than one tick's worth plus a margin: skip, never burst unboundedly.
      long cap = Math.max(10, (long) (rate / 100));
      if (due > cap) {
        if (measuring) {
          skipped.add(due - cap);
        }
        issued += due - cap;
        due = cap;
      }
      for (long i = 0; i < due; i++) {
        issued++;
        publishOne();
      }
    }

    private void publishOne() {
      if (inflight >= o.maxInflight) {
        if (measuring) {
          skipped.increment();
        }
        return;
      }
      long n = seq++;
      int group = (int) (n % o.groups);
      int item = (int) ((n / o.groups) % o.items);
      int fn = (int) ((n / ((long) o.groups * o.items)) % o.mix.size());
      String function = o.mix.get(fn);
      long t = System.nanoTime();
      Future<Void> call = "update".equals(function)
          ? publisher.update(STREAM, "g" + group, "i" + item, "t", Buffer.buffer(Long.toString(t)))
          : publisher.set(STREAM, "g" + group, "i" + item,
              Buffer.buffer("{\"t\":" + t + ",\"pad\":\"" + pad + "\"}"));
      inflight++;
      boolean counted = measuring;
      if (counted) {
        published.increment();
        expected.add(matches[group][item]);
      }
      Recorder r = calls.get(fn);
      call.onComplete(ar -> {
        inflight--;
        if (ar.failed()) {
          errors.increment();
        } else if (counted) {
          r.recordValue((System.nanoTime() - t) / 1000);
        }
      });
    }
  }
}
