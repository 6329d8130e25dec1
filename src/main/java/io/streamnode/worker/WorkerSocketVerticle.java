package io.streamnode.worker;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.security.BearerToken;
import io.streamnode.security.ConnectionLimits;
import io.streamnode.security.OriginPolicy;
import io.streamnode.security.RefusalLog;
import io.streamnode.trigger.TriggerAddresses;
import io.streamnode.worker.rbac.RbacGate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;

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
 * With {@code public_worker_socket.enabled}, a second listener speaks the same protocol to
 * browsers and other untrusted clients, as iii's RBAC listener: its connections are authenticated
 * by {@code rbac.auth_function_id} and may do only what their grants allow
 * ({@link io.streamnode.worker.rbac.RbacSession}). Both listeners run here and share one set of
 * registrations, so that a trigger reaches a function wherever its worker is connected and the last
 * registration of an id wins across both.
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
  private final PublicWorkerSocketOptions publicOptions;
  private final LimitsOptions limits;
  private final Map<String, WorkerConnection> connections = new HashMap<>();
  private final OwnerMap functionOwners = new OwnerMap();
  private final OwnerMap triggerOwners = new OwnerMap();
  private FunctionBus functions;
  private WorkerListener listener;
  /** The public listener, or {@code null} when {@code public_worker_socket.enabled} is false. */
  private WorkerListener publicListener;

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
    this(options, new PublicWorkerSocketOptions(), limits, admission, clusterOwners);
  }

  /** @param publicOptions the public listener for browsers; not opened unless enabled */
  public WorkerSocketVerticle(WorkerSocketOptions options, PublicWorkerSocketOptions publicOptions,
                              LimitsOptions limits, ConnectionLimits admission, FunctionOwners clusterOwners) {
    this.options = options;
    this.publicOptions = publicOptions;
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
    listener = new WorkerListener(this, "worker socket", "worker_socket.allowed_origins",
        new OriginPolicy(options.getAllowedOrigins()),
        new TokenGate(BearerToken.of(options.getToken(), options.getTokenFile(), "worker_socket.token")),
        new RefusalLog(LOG));
    if (publicOptions.isEnabled()) {
      RefusalLog publicRefusals = new RefusalLog(LOG);
      publicListener = new WorkerListener(this, "public worker socket", "public_worker_socket.allowed_origins",
          new OriginPolicy(publicOptions.getAllowedOrigins()),
          new RbacGate(publicOptions.getRbac(), functions, this::functionMetadata, publicRefusals), publicRefusals);
    }
    return clusterOwners.open(this::recheck)
        .compose(v -> listener.listen(options.getHost(), options.getPort()))
        .compose(v -> publicListener == null ? Future.succeededFuture()
            : publicListener.listen(publicOptions.getHost(), publicOptions.getPort()));
  }

  @Override
  public Future<?> stop() {
    if (listener == null) {
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
          return Future.join(listener.shutdown(),
              publicListener == null ? Future.succeededFuture() : publicListener.shutdown());
        })
        .eventually(clusterOwners::close);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return listener.actualPort();
  }

  /** The port the public listener is bound to, or -1 when it is not enabled. */
  public int publicPort() {
    return publicListener == null ? -1 : publicListener.actualPort();
  }

  /** The node's connection admission (limits.max_connections), shared by every listener. */
  ConnectionLimits admission() {
    return admission;
  }

  /** Frees the connection slot of a closed socket (limits.max_connections). */
  void socketClosed(ServerWebSocket ws) {
    admission.release(ws.remoteAddress().hostAddress());
  }

  void connectionOpened(WorkerConnection connection) {
    connections.put(connection.workerId(), connection);
  }

  /**
   * The {@code metadata} a worker connected here registered {@code functionId} with, or {@code null}:
   * what {@code expose_functions}' metadata rules look at.
   */
  private Object functionMetadata(String functionId) {
    WorkerConnection owner = functionOwners.owner(functionId);
    return owner == null ? null : owner.functionMetadata(functionId);
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
