package io.streamnode.worker;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
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
  private FunctionBus functions;
  private HttpServer server;

  public WorkerSocketVerticle(WorkerSocketOptions options, LimitsOptions limits) {
    this.options = options;
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
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
    return server.listen().onSuccess(s -> LOG.fine("worker socket listening on " + options.getHost() + ":" + s.actualPort()));
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
        });
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void onHandshake(ServerWebSocketHandshake handshake) {
    String path = handshake.path();
    if (WORKER_PATH.equals(path)) {
      handshake.accept().onSuccess(ws -> {
        WorkerConnection connection = new WorkerConnection(this, ws);
        connections.put(connection.workerId(), connection);
        NodeMetrics.workerConnectionOpened();
        LOG.fine(() -> "worker " + connection + " connected from " + ws.remoteAddress());
      });
    } else if (OTEL_PATH.equals(path)) {
      // Telemetry is not collected; accepting it keeps the SDK from reconnecting and logging forever.
      handshake.accept().onSuccess(ws -> ws.handler(frame -> { }));
    } else {
      handshake.reject(404);
    }
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
