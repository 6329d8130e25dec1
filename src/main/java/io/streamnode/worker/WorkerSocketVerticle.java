package io.streamnode.worker;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.security.BearerToken;
import io.streamnode.security.ConnectionLimits;
import io.streamnode.security.OriginPolicy;
import io.streamnode.security.RefusalLog;
import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;

import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The worker socket (iii's worker manager, default {@code ws://127.0.0.1:49134/}): unmodified
 * iii SDK workers connect here, register functions and triggers, and call any function of the
 * node. Each connection is a {@link WorkerConnection}. {@code /otel}, where iii SDKs send
 * telemetry, is accepted and its frames are dropped. WebSocket pings are answered with pongs.
 * <p>
 * An upgrade carrying an {@code Origin} not in {@code worker_socket.allowed_origins} (a web page)
 * is refused with 403; with {@code worker_socket.token} set, one without
 * {@code Authorization: Bearer <token>} is refused with 401. {@code /otel} needs no token (the
 * SDKs open it without their headers, and everything sent there is dropped).
 * <p>
 * Deploy exactly one instance: function and trigger ownership (the last registration of an id
 * wins) is decided here, on one event loop, without locks.
 */
public class WorkerSocketVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(WorkerSocketVerticle.class.getName());
  /** Path of the worker protocol. */
  public static final String WORKER_PATH = "/";
  /** Path of the SDKs' telemetry side channel. */
  public static final String OTEL_PATH = "/otel";
  /** The longest a stopping worker socket waits for the leaves of the closed stream sockets (ms). */
  static final long MAX_LEAVE_DRAIN_MS = 5000;

  private final WorkerSocketOptions options;
  private final LimitsOptions limits;
  private final Map<String, WorkerConnection> connections = new HashMap<>();
  private final OwnerMap functionOwners = new OwnerMap();
  private final OwnerMap triggerOwners = new OwnerMap();
  private final RefusalLog refusals = new RefusalLog(LOG);
  private FunctionBus functions;
  private HttpServer server;
  private BearerToken token;
  private OriginPolicy origins;

  private final ConnectionLimits admission;

  public WorkerSocketVerticle(WorkerSocketOptions options, LimitsOptions limits) {
    this(options, limits, new ConnectionLimits(limits));
  }

  /** @param admission the node's connection admission, shared with its other listeners */
  public WorkerSocketVerticle(WorkerSocketOptions options, LimitsOptions limits, ConnectionLimits admission) {
    this(options, limits, admission, FunctionOwners.local());
  }

  /** @param clusterOwners the latest registrant of each function id across the cluster */
  public WorkerSocketVerticle(WorkerSocketOptions options, LimitsOptions limits, ConnectionLimits admission,
                              FunctionOwners clusterOwners) {
    this.options = options;
    this.limits = limits;
    this.admission = admission;
    this.clusterOwners = clusterOwners;
  }

  private final FunctionOwners clusterOwners;
  /** Function ids whose cluster claim by a worker here is still being written. */
  private final Map<String, Integer> pendingClaims = new HashMap<>();

  /** Tells the cluster that {@code connection} registered {@code id} last. */
  void claimCluster(String id, WorkerConnection connection) {
    pendingClaims.merge(id, 1, Integer::sum);
    clusterOwners.claim(id, connection.workerId()).onComplete(done -> {
      pendingClaims.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
      recheck(id);
    });
  }

  void releaseCluster(String id, WorkerConnection connection) {
    clusterOwners.release(id, connection.workerId());
  }

  /**
   * Someone claimed {@code id} somewhere: if the cluster's current owner is not the worker serving
   * it here, that worker lets it go (the last registration wins, across nodes).
   */
  private void recheck(String id) {
    WorkerConnection local = functionOwners.owner(id);
    if (local == null || pendingClaims.containsKey(id)) {
      return;
    }
    clusterOwners.owner(id).onSuccess(current -> {
      if (current == null || pendingClaims.containsKey(id) || functionOwners.owner(id) != local
          || current.equals(local.workerId())) {
        return;
      }
      LOG.info("function " + id + " moves from worker " + local + " to worker " + current + " on another node");
      functionOwners.release(id, local);
      local.yieldFunction(id);
    });
  }

  @Override
  public Future<?> start() {
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    token = BearerToken.of(options.getToken(), options.getTokenFile(), "worker_socket.token");
    origins = new OriginPolicy(options.getAllowedOrigins());
    Future<Void> owners = clusterOwners.open(this::recheck);
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setHost(options.getHost())
        .setPort(options.getPort())
        .setMaxWebSocketFrameSize(limits.getMaxFrameBytes())
        .setMaxWebSocketMessageSize(limits.getMaxFrameBytes());
    server = vertx.createHttpServer(serverOptions)
        .webSocketHandshakeHandler(this::onHandshake)
        .requestHandler(req -> req.response().setStatusCode(426)
            .putHeader("content-type", "text/plain")
            .end("streamnode worker socket: connect an iii SDK worker with a WebSocket\n"));
    return owners.compose(v -> server.listen()).onSuccess(s -> LOG.fine("worker socket listening on " + options.getHost() + ":" + s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // The stream socket, stopped before us, has sent a stream:leave for every subscription it
    // closed; the handlers may be functions of our workers, so they stay connected until trigger
    // dispatch has run those leaves: at most 5 s (or the call timeout if shorter), as the stream
    // socket waits at most 5 s for its sockets; a whole Vert.x closing must not hang on handlers
    // that are being undeployed at the same time.
    return vertx.eventBus().request(TriggerAddresses.DRAIN_LEAVES, null,
            new DeliveryOptions().setSendTimeout(Math.min(limits.getCallTimeoutMs(), MAX_LEAVE_DRAIN_MS)))
        .otherwiseEmpty()
        .transform(drained -> {
          // Closed now rather than by Vert.x's graceful shutdown, which waits 30 s for each.
          new java.util.ArrayList<>(connections.values()).forEach(WorkerConnection::goAway);
          return server.shutdown();
        })
        .eventually(clusterOwners::close);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void onHandshake(ServerWebSocketHandshake handshake) {
    String path = handshake.path();
    String origin = handshake.headers().get(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      refuse(handshake, 403, "origin " + origin + " is not in worker_socket.allowed_origins");
      return;
    }
    if (WORKER_PATH.equals(path) && !token.accepts(handshake.headers().get(HttpHeaders.AUTHORIZATION))) {
      refuse(handshake, 401, "missing or wrong bearer token (worker_socket.token)");
      return;
    }
    if (!WORKER_PATH.equals(path) && !OTEL_PATH.equals(path)) {
      handshake.reject(404);
      return;
    }
    String ip = handshake.remoteAddress().hostAddress();
    String full = admission.tryAcquire(ip);
    if (full != null) {
      refuse(handshake, 503, full);
      return;
    }
    Future<ServerWebSocket> accepted = handshake.accept().onFailure(err -> admission.release(ip));
    if (WORKER_PATH.equals(path)) {
      accepted.onSuccess(ws -> {
        WorkerConnection connection = new WorkerConnection(this, ws);
        connections.put(connection.workerId(), connection);
        NodeMetrics.workerConnectionOpened();
        LOG.fine(() -> "worker " + connection + " connected from " + ws.remoteAddress());
      });
    } else {
      // Telemetry is not collected; accepting it keeps the SDK from reconnecting and logging forever.
      accepted.onSuccess(ws -> {
        ws.handler(frame -> { });
        ws.closeHandler(v -> socketClosed(ws));
      });
    }
  }

  /** Frees the connection slot of a closed socket (limits.max_connections). */
  void socketClosed(ServerWebSocket ws) {
    admission.release(ws.remoteAddress().hostAddress());
  }

  private void refuse(ServerWebSocketHandshake handshake, int status, String why) {
    refusals.refused("worker socket", handshake.remoteAddress(), status + " on upgrade of " + handshake.path() + ": " + why);
    handshake.reject(status);
  }

  /** Rate-limited log of refusals and bad input on this listener. */
  RefusalLog refusals() {
    return refusals;
  }

  WorkerConnection connection(String workerId) {
    return connections.get(workerId);
  }

  void connectionClosed(WorkerConnection connection) {
    connections.remove(connection.workerId(), connection);
  }

  OwnerMap functionOwners() {
    return functionOwners;
  }

  OwnerMap triggerOwners() {
    return triggerOwners;
  }

  FunctionBus functions() {
    return functions;
  }

  LimitsOptions limits() {
    return limits;
  }

  Vertx vertx() {
    return vertx;
  }
}
