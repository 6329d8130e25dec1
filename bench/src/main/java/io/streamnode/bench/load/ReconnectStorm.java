package io.streamnode.bench.load;

import io.streamnode.bench.probe.ServerProbe;
import io.streamnode.bench.publish.HttpFunctionPublisher;
import io.streamnode.bench.publish.Publisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reconnect-storm scenario of issue 9 (streamnode only): every subscriber of one large group
 * drops and reconnects at once, once resuming with {@code since} and once with iii's plain join
 * (a full sync each), while a low publish rate keeps events happening.
 *
 * <ol>
 *   <li>Fill: {@code --storm-items} {@code stream::set} calls to group {@code storm}, 32 at a time.</li>
 *   <li>Connect {@code --connections} subscribers with {@code "positions": true}, at most
 *       {@code --connect-concurrency} at once; each keeps the position of the last frame it got.</li>
 *   <li>Publish at the first of {@code --rates} (sets of the group's first items) until the end.</li>
 *   <li>Per variant of {@code --storm-variants} (since, full): close every socket at once, wait
 *       {@code --storm-gap} s, reconnect every subscriber at once (no concurrency limit), and
 *       wait, at most {@code --storm-timeout} s, until every one is live again: it has its
 *       sync (recovered or full) and an event published after the reconnect started.</li>
 * </ol>
 * With {@code --storm-warmup=true} an unmeasured storm with {@code since} comes first, so that
 * the server has compiled its recovery path as the first joins made it compile the full sync.
 *
 * <p>Measured per variant, from the reconnect start until the last subscriber is live: that time,
 * the server's CPU, and the bytes the subscribers received (WebSocket payloads, summed). Checked:
 * with {@code since}, every subscriber got {@code recovered: true} and the offsets that followed
 * its last position without a gap or a repeat; no subscriber closed by the server. A subscriber the
 * server closes (a slow consumer, say) is counted and reconnects, as a client would, after 200 ms.
 */
final class ReconnectStorm {

  private static final String STREAM = "bench";
  private static final String GROUP = "storm";
  /** Live events cycle over this many of the group's items (they replace values, the group does not grow). */
  private static final int LIVE_ITEMS = 10;
  private static final byte[] SYNC_HEAD = "\"event\":{\"type\":\"sync\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] POSITION_KEY = ",\"position\":{".getBytes(StandardCharsets.US_ASCII);
  /** Frames up to this size are parsed as JSON when they are syncs; a full sync of the group is larger. */
  private static final int SMALL_FRAME = 64 * 1024;
  private static final long RETRY_DELAY_MS = 200;
  private static final int MAX_ATTEMPTS = 20;
  /** Publishing before the first storm and between storms, so every subscriber is live and has moved on. */
  private static final long SETTLE_MS = 500;

  private final LoadOptions o;
  private final Vertx vertx;
  private final String pad;
  private final List<Subscriber> subscribers = new ArrayList<>();
  /** Why sockets were closed by the server (or failed), with counts, for the current storm. */
  private final Map<String, Integer> closeReasons = new ConcurrentHashMap<>();
  private final LongAdder bytes = new LongAdder();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicInteger connectFailures = new AtomicInteger();
  private WebSocketClient client;
  private Publisher publisher;
  /** The storm under way: null while connecting for the first time. */
  private volatile Storm storm;

  ReconnectStorm(LoadOptions o, Vertx vertx) {
    this.o = o;
    this.vertx = vertx;
    this.pad = "x".repeat(Math.max(0, o.payload));
  }

  /** Runs the scenario; returns one result per variant. */
  List<JsonObject> run() throws Exception {
    publisher = new HttpFunctionPublisher(vertx, o.apiPort, o.publishConnections);
    // A full sync of the group is one frame of items x payload bytes: far above Vert.x's 64 KiB default.
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(o.connections + 16).setConnectTimeout(30_000).setTcpNoDelay(true)
        .setMaxFrameSize(256 * 1024 * 1024).setMaxMessageSize(256 * 1024 * 1024));
    long cpu0 = ServerProbe.cpuMicros(o.pid);
    long fillMs = fill();
    long cpu1 = ServerProbe.cpuMicros(o.pid);
    JsonObject connect = connectAll();
    long cpu2 = ServerProbe.cpuMicros(o.pid);
    // What the set-up cost the server, for the scenario's own time budget.
    connect.put("fill_ms", fillMs).put("fill_server_cpu_us", cpu1 - cpu0).put("server_cpu_us", cpu2 - cpu1);
    System.err.printf("streamnode reconnect-storm: server CPU %.2f s for the fill, %.2f s for the first joins%n",
        (cpu1 - cpu0) / 1e6, (cpu2 - cpu1) / 1e6);
    double rate = o.rates.get(0);
    long timer = vertx.setPeriodic(1, new Ticker(rate)::tick);
    List<JsonObject> results = new ArrayList<>();
    try {
      Thread.sleep(SETTLE_MS); // live events flow, positions move on
      if (o.stormWarmup) {
        // The first joins ran the full-sync path 1,000 times; without this the recovery path would
        // run cold (interpreted, then compiled on the server's one core) in the measured storm.
        JsonObject w = storm("since", true);
        connect.put("warmup", new JsonObject().put("all_live_ms", w.getDouble("all_live_ms"))
            .put("server_cpu_us", w.getLong("server_cpu_us")).put("correct", w.getBoolean("correct")));
        Thread.sleep(SETTLE_MS);
      }
      for (String variant : o.stormVariants) {
        if (!results.isEmpty()) {
          Thread.sleep(SETTLE_MS);
        }
        results.add(storm(variant, false).put("rate", rate).put("connect", connect));
      }
    } finally {
      vertx.cancelTimer(timer);
    }
    publisher.close();
    return results;
  }

  /** {@code --storm-items} sets to the group, 32 in flight, within 300 s. */
  private long fill() throws Exception {
    long t0 = System.nanoTime();
    int lanes = 32;
    List<Future<Void>> all = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      all.add(fillLane(lane, lanes));
    }
    Future.all(all).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.err.printf("streamnode reconnect-storm: %d items of ~%d bytes set in %d ms%n", o.stormItems, o.payload, ms);
    return ms;
  }

  private Future<Void> fillLane(int item, int lanes) {
    if (item >= o.stormItems) {
      return Future.succeededFuture();
    }
    return publisher.set(STREAM, GROUP, "i" + item, value(0)).compose(v -> fillLane(item + lanes, lanes));
  }

  /** A value of exactly {@code --payload} bytes of JSON (or the least it can be): {@code {"t":..,"pad":"xx.."}}. */
  private Buffer value(long t) {
    String head = "{\"t\":" + t + ",\"pad\":\"";
    int padding = Math.max(0, o.payload - head.length() - 2);
    return Buffer.buffer(head + pad.substring(0, Math.min(padding, pad.length())) + "\"}");
  }

  /** The first connection of every subscriber, with positions, at most connectConcurrency at once. */
  private JsonObject connectAll() throws InterruptedException {
    Semaphore permits = new Semaphore(o.connectConcurrency);
    long deadline = System.nanoTime() + (long) (o.connectTimeout * 1e9);
    long t0 = System.nanoTime();
    AtomicInteger synced = new AtomicInteger();
    for (int j = 0; j < o.connections; j++) {
      Subscriber s = new Subscriber(j);
      subscribers.add(s);
      long left = deadline - System.nanoTime();
      if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("connect timeout after " + j + " subscribers");
      }
      s.firstSync = () -> {
        if (s.synced) {
          synced.incrementAndGet();
        }
        permits.release();
      };
      s.connect(false, 1);
    }
    long left = deadline - System.nanoTime();
    if (!permits.tryAcquire(o.connectConcurrency, Math.max(left, 1), TimeUnit.NANOSECONDS) || synced.get() < o.connections) {
      throw new IllegalStateException("only " + synced.get() + " of " + o.connections + " subscribers synced within "
          + o.connectTimeout + " s: " + closeReasons);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.err.printf("streamnode reconnect-storm: %d subscribers joined with positions (full sync each) in %d ms"
        + " (%d closed by the server, %d connect failures, retried)%n", synced.get(), ms, closedByServer.get(), connectFailures.get());
    return new JsonObject().put("connected", synced.get()).put("total_ms", ms).put("closed_by_server", closedByServer.get())
        .put("connect_failures", connectFailures.get()).put("close_reasons", new JsonObject(new java.util.HashMap<>(closeReasons)));
  }

  /** One storm: everyone leaves, waits the gap, comes back at once; {@code warmup} only changes its log line. */
  private JsonObject storm(String variant, boolean warmup) throws InterruptedException {
    boolean since = "since".equals(variant);
    // Everyone leaves at once; their last positions are what they resume from.
    long left = System.nanoTime();
    CountDownLatchLike closed = new CountDownLatchLike(subscribers.size());
    for (Subscriber s : subscribers) {
      s.leave(closed);
    }
    closed.await(10_000);
    Thread.sleep((long) (o.stormGap * 1000));

    closeReasons.clear();
    bytes.reset();
    closedByServer.set(0);
    connectFailures.set(0);
    Storm st = new Storm(since);
    long pid = o.pid;
    long cpu0 = ServerProbe.cpuMicros(pid);
    long self0 = ServerProbe.cpuMicros(ProcessHandle.current().pid());
    long busy0 = ServerProbe.machineBusyMicros();
    st.start = System.nanoTime();
    storm = st;
    for (Subscriber s : subscribers) {
      s.connect(since, 1);
    }
    long deadline = st.start + (long) (o.stormTimeout * 1e9);
    while (st.live.get() < subscribers.size() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long end = System.nanoTime();
    long cpu1 = ServerProbe.cpuMicros(pid);
    long self1 = ServerProbe.cpuMicros(ProcessHandle.current().pid());
    long busy1 = ServerProbe.machineBusyMicros();
    long received = bytes.sum();
    storm = null; // from here on, frames are not counted

    int live = st.live.get();
    Histogram times = new Histogram(3);
    int recovered = 0;
    int fullSyncs = 0;
    long gaps = 0;
    long missedEvents = 0;
    for (Subscriber s : subscribers) {
      if (s.liveAt > 0) {
        times.recordValue(Math.max(0, (s.liveAt - st.start) / 1000));
      }
      recovered += s.recovered ? 1 : 0;
      fullSyncs += s.fullSync ? 1 : 0;
      gaps += s.gaps;
      missedEvents += s.replayed;
    }
    double seconds = (end - st.start) / 1e9;
    long cpu = cpu1 - cpu0;
    boolean allLive = live == subscribers.size();
    // With since: each one resumed (recovered: true), offsets contiguous, nobody closed by the server.
    boolean correct = allLive && closedByServer.get() == 0
        && (!since || (recovered == subscribers.size() && fullSyncs == 0 && gaps == 0));
    JsonObject result = new JsonObject().put("server", o.server).put("scenario", o.scenario).put("variant", variant)
        .put("connections", o.connections).put("groups", 1).put("items", o.stormItems).put("payload", o.payload)
        .put("gap_s", o.stormGap).put("timeout_s", o.stormTimeout)
        // From the first close to the reconnect start: the gap plus the closing handshakes.
        .put("away_s", (st.start - left) / 1e9)
        .put("live", live).put("all_live", allLive)
        .put("all_live_ms", allLive ? times.getMaxValue() / 1000.0 : -1.0)
        .put("live_p50_ms", times.getValueAtPercentile(50) / 1000.0)
        .put("live_p99_ms", times.getValueAtPercentile(99) / 1000.0)
        .put("window_s", seconds)
        .put("server_cpu_us", cpu).put("server_cpu_pct", 100.0 * cpu / 1e6 / seconds)
        .put("bytes_received", received).put("bytes_per_subscriber", received / Math.max(1, subscribers.size()))
        .put("recovered", recovered).put("full_syncs", fullSyncs).put("offset_gaps", gaps)
        .put("replayed_events", missedEvents)
        .put("closed_by_server", closedByServer.get()).put("connect_failures", connectFailures.get())
        .put("close_reasons", new JsonObject(new java.util.HashMap<>(closeReasons)))
        .put("correct", correct)
        .put("loadgen_cpu_pct", 100.0 * (self1 - self0) / 1e6 / seconds)
        .put("other_cpu_pct", Math.max(0, 100.0 * ((busy1 - busy0) - cpu - (self1 - self0)) / 1e6 / seconds));
    System.err.printf("streamnode reconnect-storm %s: away %.1f s, %d/%d live in %.0f ms (p50 %.0f ms), server CPU %.2f s, "
            + "%.1f MB received, recovered %d, full syncs %d, offset gaps %d, replayed %d, closed by server %d%s%n",
        variant + (warmup ? " (warm-up, not measured)" : ""), (st.start - left) / 1e9, live, subscribers.size(), seconds * 1000, times.getValueAtPercentile(50) / 1000.0, cpu / 1e6,
        received / 1e6, recovered, fullSyncs, gaps, missedEvents, closedByServer.get(), correct ? "" : "  ** NOT CORRECT **");
    return result;
  }

  /** The reconnect under way: its variant, its start and how many subscribers are live again. */
  private static final class Storm {
    final boolean since;
    final AtomicInteger live = new AtomicInteger();
    volatile long start;

    Storm(boolean since) {
      this.since = since;
    }
  }

  /** A bounded wait for n events, without a checked-exception dance around CountDownLatch's timeout. */
  private static final class CountDownLatchLike {
    private final java.util.concurrent.CountDownLatch latch;

    CountDownLatchLike(int n) {
      latch = new java.util.concurrent.CountDownLatch(n);
    }

    void countDown() {
      latch.countDown();
    }

    void await(long ms) throws InterruptedException {
      if (!latch.await(ms, TimeUnit.MILLISECONDS)) {
        System.err.println("reconnect-storm: " + latch.getCount() + " sockets not closed after " + ms + " ms");
      }
    }
  }

  /**
   * One subscriber: one socket at a time, the position of the last frame it received, and what
   * the current storm saw of it. Its handlers run on one event loop at a time (its socket's).
   */
  private final class Subscriber {
    final int index;
    WebSocket ws;
    /** The socket this subscriber closes itself: its close is not the server's. */
    boolean leaving;
    String epoch;
    long offset = -1;
    Runnable firstSync;
    CountDownLatchLike closedLatch;
    // What the current storm saw.
    boolean synced;
    boolean recovered;
    boolean fullSync;
    long liveAt;
    long gaps;
    long replayed;

    Subscriber(int index) {
      this.index = index;
    }

    void leave(CountDownLatchLike closed) {
      synced = false;
      recovered = false;
      fullSync = false;
      liveAt = 0;
      gaps = 0;
      replayed = 0;
      WebSocket w = ws;
      if (w == null || w.isClosed()) {
        closed.countDown();
        return;
      }
      closedLatch = closed;
      leaving = true;
      w.close();
    }

    /** Connects and joins; with {@code since}, from the last position this subscriber had. */
    void connect(boolean since, int attempt) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(o.socketPort).setURI("/");
      client.connect(options).onComplete(ar -> {
        if (ar.failed()) {
          connectFailures.incrementAndGet();
          closeReasons.merge("connect failed: " + ar.cause().getMessage(), 1, Integer::sum);
          retry(since, attempt);
          return;
        }
        WebSocket w = ar.result();
        ws = w;
        leaving = false;
        w.handler(frame -> onFrame(frame));
        w.closeHandler(v -> {
          if (ws != w) {
            return; // a socket this subscriber has already replaced
          }
          if (leaving) {
            CountDownLatchLike l = closedLatch;
            closedLatch = null;
            if (l != null) {
              l.countDown();
            }
            return;
          }
          closedByServer.incrementAndGet();
          closeReasons.merge(w.closeStatusCode() + " " + w.closeReason(), 1, Integer::sum);
          retry(since, attempt);
        });
        w.exceptionHandler(t -> closeReasons.merge("exception " + t, 1, Integer::sum));
        JsonObject data = new JsonObject().put("subscriptionId", "s" + index).put("streamName", STREAM).put("groupId", GROUP);
        if (since && epoch != null) {
          data.put("since", new JsonObject().put("epoch", epoch).put("offset", offset));
        } else if (storm == null) {
          data.put("positions", true); // the first connection: keep positions to resume from
        }
        w.writeTextMessage(new JsonObject().put("type", "join").put("data", data).encode());
      });
    }

    /**
     * Lost before it was synced (first join) or live again (a storm): reconnect after a short
     * delay, as a client would, at most MAX_ATTEMPTS times.
     */
    private void retry(boolean since, int attempt) {
      Storm st = storm;
      if (st == null) {
        if (firstSync == null) {
          return; // synced once already: lost between storms, the next storm reconnects it
        }
        if (attempt >= MAX_ATTEMPTS) {
          Runnable first = firstSync; // given up: connectAll counts it as not synced
          firstSync = null;
          first.run();
          return;
        }
        vertx.setTimer(RETRY_DELAY_MS, id -> connect(false, attempt + 1));
        return;
      }
      if (liveAt > 0 || attempt >= MAX_ATTEMPTS) {
        return;
      }
      synced = false;
      vertx.setTimer(RETRY_DELAY_MS, id -> {
        if (storm == st) {
          connect(since, attempt + 1);
        }
      });
    }

    private void onFrame(Buffer frame) {
      Storm st = storm;
      if (st != null) {
        bytes.add(frame.length());
      }
      boolean sync = startsSync(frame);
      long[] pos = new long[1];
      String frameEpoch = position(frame, pos);
      if (sync) {
        boolean wasRecovered = false;
        if (frame.length() <= SMALL_FRAME) {
          JsonObject event = new JsonObject(frame).getJsonObject("event");
          wasRecovered = Boolean.TRUE.equals(event.getValue("recovered"));
        }
        synced = true;
        if (st != null) {
          if (wasRecovered) {
            recovered = true;
            // The recovered sync carries the position the client asked to resume from.
            if (frameEpoch != null && (!frameEpoch.equals(epoch) || pos[0] != offset)) {
              gaps++;
            }
          } else {
            fullSync = true;
          }
        }
        if (frameEpoch != null) {
          epoch = frameEpoch;
          offset = pos[0];
        }
        Runnable first = firstSync;
        if (first != null) {
          firstSync = null;
          first.run();
        }
        return;
      }
      if (frameEpoch != null) {
        if (st != null && st.since && (!frameEpoch.equals(epoch) || pos[0] != offset + 1)) {
          gaps++;
        }
        epoch = frameEpoch;
        offset = pos[0];
      }
      if (st != null && synced && liveAt == 0) {
        long t = LoadRun.sentNanos(frame);
        if (t >= st.start) {
          liveAt = System.nanoTime();
          st.live.incrementAndGet();
        } else {
          replayed++;
        }
      }
    }
  }

  /** Whether the frame is a sync: its wrapper's event starts with {@code "type":"sync"} (looked for in the head only). */
  static boolean startsSync(Buffer frame) {
    return indexOf(frame, SYNC_HEAD, 0, Math.min(frame.length(), 512)) >= 0;
  }

  /** The epoch of the frame's {@code "position"} (the wrapper's last field), its offset in {@code offset[0]}; null without one. */
  static String position(Buffer frame, long[] offset) {
    int n = frame.length();
    int from = Math.max(0, n - 256);
    int at = -1;
    for (int i = indexOf(frame, POSITION_KEY, from, n); i >= 0; i = indexOf(frame, POSITION_KEY, i + 1, n)) {
      at = i;
    }
    if (at < 0) {
      return null;
    }
    JsonObject p = new JsonObject(frame.getString(at + POSITION_KEY.length - 1, n - 1, "UTF-8"));
    offset[0] = p.getLong("offset");
    return p.getString("epoch");
  }

  private static int indexOf(Buffer frame, byte[] needle, int from, int to) {
    outer:
    for (int i = from, last = to - needle.length; i <= last; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (frame.getByte(i + k) != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The low publish rate that keeps events happening: sets of the group's first items, bounded in flight. */
  private final class Ticker {
    final double rate;
    final long started = System.nanoTime();
    long issued;
    long seq;
    int inflight;

    Ticker(double rate) {
      this.rate = rate;
    }

    void tick(long id) {
      long due = (long) ((System.nanoTime() - started) * rate / 1e9) - issued;
      issued += due;
      for (long i = 0; i < due && inflight < o.maxInflight; i++) {
        inflight++;
        publisher.set(STREAM, GROUP, "i" + (seq++ % LIVE_ITEMS), value(System.nanoTime()))
            .onComplete(ar -> inflight--);
      }
    }
  }
}
