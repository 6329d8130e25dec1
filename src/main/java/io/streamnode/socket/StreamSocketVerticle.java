package io.streamnode.socket;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.security.ConnectionLimits;
import io.streamnode.security.HandshakeFields;
import io.streamnode.security.RefusalLog;
import io.streamnode.metrics.NodeMetrics;
import io.streamnode.store.GroupKey;
import io.streamnode.store.StoreAddresses;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The stream socket gateway (iii's {@code iii-stream} worker, default port 3112): accepts
 * WebSockets on {@code /} and on the older {@code /stream/{stream}/{group}[/{item}]} path, runs
 * the {@code auth_function} once per handshake, and fans each group's events out to the
 * subscriptions of its sockets. Several instances may be deployed; each serves its own sockets.
 */
public class StreamSocketVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(StreamSocketVerticle.class.getName());

  private final StreamSocketOptions options;
  private final LimitsOptions limits;
  private final Map<GroupKey, GroupSubscribers> groups = new HashMap<>();
  private final RefusalLog refusals = new RefusalLog(LOG);
  private long resyncs;
  private long recoveries;
  private FunctionBus functions;
  private DeliveryOptions joinDelivery;
  private EventBus eventBus;
  private HttpServer server;
  private DeferredFlush deferredFlush;
  /** Open sockets, so that stopping can close them with 1001 instead of waiting for them. */
  private final Set<StreamSocket> open = new HashSet<>();
  /** Set while stopping: completes when the last open socket has closed. */
  private Promise<Void> allClosed;

  private final ConnectionLimits connections;

  public StreamSocketVerticle(StreamSocketOptions options, LimitsOptions limits) {
    this(options, limits, new ConnectionLimits(limits));
  }

  /** @param connections the node's connection admission, shared with its other listeners */
  public StreamSocketVerticle(StreamSocketOptions options, LimitsOptions limits, ConnectionLimits connections) {
    this.options = options;
    this.limits = limits;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    if (options.isAuthRequired() && options.getAuthFunction() == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "stream_socket.auth_required is true but no stream_socket.auth_function is set: every connection would be refused"));
    }
    eventBus = vertx.eventBus();
    deferredFlush = new DeferredFlush(((ContextInternal) context).nettyEventLoop());
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    joinDelivery = new DeliveryOptions().setSendTimeout(limits.getCallTimeoutMs());
    PresenceNotices.deliver(eventBus, groups);
    eventBus.localConsumer(StoreAddresses.POSITIONS_SUSPECT, msg -> checkPositions());
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setHost(options.getHost())
        .setPort(options.getPort())
        // Vert.x drops a connection whose frame outgrows its own limit without a close frame; by
        // letting it buffer up to twice ours, StreamSocket can answer the usual "somewhat too big"
        // message with a clean 1009. Beyond twice the limit the connection is simply dropped.
        .setMaxWebSocketFrameSize(hardLimit(limits.getMaxFrameBytes()))
        .setMaxWebSocketMessageSize(hardLimit(limits.getMaxFrameBytes()));
    server = vertx.createHttpServer(serverOptions)
        .webSocketHandshakeHandler(this::onHandshake)
        .requestHandler(req -> req.response().setStatusCode(426)
            .putHeader("content-type", "text/plain")
            .end("streamnode stream socket: connect with a WebSocket\n"));
    long period = options.getPingIntervalMs() > 0 ? options.getPingIntervalMs() : options.getIdleTimeoutMs() / 2;
    if (period > 0) {
      vertx.setPeriodic(Math.max(50, period), id -> heartbeat());
    }
    return server.listen().onSuccess(s -> LOG.fine("stream socket listening on " + options.getHost() + ":" + s.actualPort()));
  }

  /** Pings every socket of this instance and closes those silent for longer than idle_timeout_ms. */
  private void heartbeat() {
    long now = System.currentTimeMillis();
    for (StreamSocket socket : new ArrayList<>(open)) {
      socket.heartbeat(now, options.getIdleTimeoutMs(), options.getPingIntervalMs() > 0);
    }
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // Clients are told at once (1001, going away) rather than left to Vert.x's graceful shutdown,
    // which waits up to 30 s for each WebSocket to close by itself. Stopping waits (at most 5 s)
    // until every socket's close handler has run: it sends the leave triggers, and trigger
    // dispatch, stopped after us, must have them queued by then.
    if (!open.isEmpty()) {
      allClosed = Promise.promise();
      for (StreamSocket socket : new ArrayList<>(open)) {
        socket.goAway();
      }
    }
    Future<Void> closed = allClosed == null ? Future.succeededFuture()
        : Future.any(allClosed.future(), vertx.timer(5, TimeUnit.SECONDS)).mapEmpty();
    return closed.transform(done -> server.shutdown());
  }

  private static int hardLimit(int limit) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * limit);
  }

  /** Called by a socket once it has closed. */
  void closed(StreamSocket socket) {
    if (open.remove(socket)) {
      connections.release(socket.remoteIp());
      NodeMetrics.streamConnectionClosed();
    }
    if (allClosed != null && open.isEmpty()) {
      allClosed.tryComplete();
    }
  }

  /** The sockets of this instance's event loop waiting for a flush. */
  DeferredFlush deferredFlush() {
    return deferredFlush;
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void onHandshake(ServerWebSocketHandshake handshake) {
    String path = handshake.path();
    String[] legacy = null;
    if (!"/".equals(path)) {
      legacy = legacyPath(path);
      if (legacy == null) {
        handshake.reject(404);
        return;
      }
    }
    String[] join = legacy;
    String ip = handshake.remoteAddress().hostAddress();
    String full = connections.tryAcquire(ip);
    if (full != null) {
      refusals.refused("stream socket", handshake.remoteAddress(), "503 on upgrade: " + full);
      handshake.reject(503);
      return;
    }
    Future<Object> context = options.getAuthFunction() == null
        ? Future.succeededFuture(null)
        : authenticate(handshake);
    context.onComplete(ctx -> {
      if (ctx.failed()) {
        refusals.refused("stream socket", handshake.remoteAddress(), "401 on upgrade: " + ctx.cause().getMessage()
            + " (stream_socket.auth_required)");
        connections.release(ip);
        handshake.reject(401);
        return;
      }
      accept(handshake, path, join, ctx.result());
    });
  }

  private void accept(ServerWebSocketHandshake handshake, String path, String[] join, Object connectionContext) {
    String ip = handshake.remoteAddress().hostAddress();
    handshake.accept().onFailure(err -> connections.release(ip)).onSuccess(ws -> {
      if (ws.isClosed()) {
        connections.release(ip);
        // Closed between the upgrade and this callback (e.g. an oversized first frame): nothing to set up.
        return;
      }
      StreamSocket socket = new StreamSocket(this, ws, connectionContext);
      open.add(socket);
      NodeMetrics.streamConnectionOpened();
      if (join != null) {
        socket.join(new JsonObject().put("subscriptionId", path).put("streamName", join[0])
            .put("groupId", join[1]).put("id", join[2]));
      }
    });
  }

  /**
   * Calls the auth function with iii's input. Fail-open by default, as iii: an error or an odd
   * result gives a connection without context; only a {@code stream:join} handler can refuse.
   * With {@code stream_socket.auth_required} it fails instead, and the upgrade is refused.
   */
  private Future<Object> authenticate(ServerWebSocketHandshake handshake) {
    JsonObject input = new JsonObject()
        .put("headers", HandshakeFields.headers(handshake.headers()))
        .put("path", handshake.path())
        .put("query_params", HandshakeFields.queryParams(handshake.query()))
        .put("addr", handshake.remoteAddress().hostAddress() + ":" + handshake.remoteAddress().port());
    return functions.call(options.getAuthFunction(), input).transform(ar -> {
      if (ar.succeeded() && ar.result().value() instanceof JsonObject out && out.getValue("context") != null) {
        return Future.succeededFuture(out.getValue("context"));
      }
      if (options.isAuthRequired()) {
        return Future.failedFuture(ar.failed() ? "auth_function " + options.getAuthFunction() + " failed: "
            + ar.cause().getMessage() : "auth_function " + options.getAuthFunction() + " returned no context");
      }
      if (ar.failed()) {
        refusals.note(java.util.logging.Level.WARNING, "auth_function " + options.getAuthFunction() + " failed (connection accepted without context): "
            + ar.cause().getMessage());
      }
      return Future.succeededFuture(null);
    });
  }

  /** {@code /stream/{stream}/{group}[/{item}]} -> [stream, group, item-or-null], else null. */
  static String[] legacyPath(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length < 4 || parts.length > 5 || !parts[0].isEmpty() || !"stream".equals(parts[1])) {
      return null;
    }
    for (int i = 2; i < parts.length; i++) {
      if (parts[i].isEmpty()) {
        return null;
      }
      parts[i] = java.net.URLDecoder.decode(parts[i], java.nio.charset.StandardCharsets.UTF_8);
    }
    return new String[] {parts[2], parts[3], parts.length == 5 ? parts[4] : null};
  }

  /** Adds a subscription to its group, starting the group's consumer if it is the first. */
  Future<Void> subscribe(Subscription sub) {
    GroupKey key = new GroupKey(sub.stream, sub.group);
    GroupSubscribers subscribers = groups.get(key);
    if (subscribers == null) {
      subscribers = new GroupSubscribers(eventBus.<StreamEvent>consumer(StoreAddresses.group(sub.stream, sub.group)),
          limits.getMaxHeldEvents());
      groups.put(key, subscribers);
      NodeMetrics.groupSubscribed();
    }
    subscribers.add(sub);
    NodeMetrics.subscribed();
    PresenceNotices.joined(eventBus, sub);
    return subscribers.ready();
  }

  /** Removes a subscription, stopping the group's consumer if it was the last. */
  void unsubscribe(Subscription sub) {
    GroupKey key = new GroupKey(sub.stream, sub.group);
    GroupSubscribers subscribers = groups.get(key);
    if (subscribers != null && subscribers.remove(sub)) {
      groups.remove(key);
      NodeMetrics.groupUnsubscribed();
    }
    if (subscribers != null) {
      NodeMetrics.unsubscribed();
      PresenceNotices.left(eventBus, sub);
    }
  }

  EventBus eventBus() {
    return eventBus;
  }

  /** A subscription was brought up to date with a fresh sync (events had been lost on the way). */
  void countResync() {
    resyncs++;
    NodeMetrics.resync();
  }

  /** A subscription was brought up to date from its group's history (a resume, or a repaired gap). */
  void countRecovery() {
    recoveries++;
    NodeMetrics.recovery();
  }

  /** Full resyncs made by this gateway instance since it started. */
  public long resyncs() {
    return resyncs;
  }

  /** Recoveries from history made by this gateway instance since it started. */
  public long recoveries() {
    return recoveries;
  }

  /**
   * Checks every live subscription against its group's position now and brings the stale ones up
   * to date: events may have been missed with no later event to show the gap.
   */
  private void checkPositions() {
    for (Map.Entry<GroupKey, GroupSubscribers> entry : groups.entrySet()) {
      GroupKey key = entry.getKey();
      GroupSubscribers subscribers = entry.getValue();
      eventBus.<JsonObject>request(StoreAddresses.POSITION,
          new JsonObject().put("stream_name", key.stream()).put("group_id", key.group())).onSuccess(reply -> {
        GroupPosition now = new GroupPosition(reply.body().getString("epoch"), reply.body().getLong("offset"));
        for (Subscription sub : new ArrayList<>(subscribers.subscriptions())) {
          if (!sub.pending() && !now.equals(sub.position())) {
            sub.socket.resync(sub, "its group is at " + now + " after events may have been missed");
          }
        }
      });
    }
  }

  LimitsOptions limits() {
    return limits;
  }

  StreamSocketOptions options() {
    return options;
  }

  /** Delivery of a join request to the join handlers: the whole decision within limits.call_timeout_ms. */
  DeliveryOptions joinDelivery() {
    return joinDelivery;
  }

  RefusalLog refusals() {
    return refusals;
  }
}
