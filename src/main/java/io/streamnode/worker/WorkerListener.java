package io.streamnode.worker;

import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.metrics.NodeMetrics;
import io.streamnode.security.OriginPolicy;
import io.streamnode.security.RefusalLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;

import java.util.logging.Logger;

/**
 * One listener of the worker protocol: upgrades {@code /} to a {@link WorkerConnection} and
 * {@code /otel}, where iii SDKs send telemetry, to a socket whose frames are dropped. The worker
 * socket runs two on its one event loop, sharing every registration: the private listener
 * ({@code worker_socket}) and, when enabled, the public one ({@code public_worker_socket}). They
 * differ only in address, allowed origins and {@link WorkerGate}.
 * <p>
 * An upgrade is refused with 403 when its {@code Origin} is not allowed, 401 when the gate refuses
 * it, 404 on another path and 503 past the connection limits. Once accepted, the connection's
 * frames wait until the gate has authenticated it; a connection the gate refuses then gets
 * {@code {"type":"error","error":{"code":..,"message":..}}} and is closed (iii's RBAC listener does
 * exactly this). Every refusal is logged with the remote address, within this listener's budget.
 */
final class WorkerListener {

  private static final Logger LOG = Logger.getLogger(WorkerListener.class.getName());
  /**
   * Close code after an authentication failure (policy violation). iii closes without a code; one
   * that says why helps a client that does not read the {@code error} frame.
   */
  static final short CLOSE_UNAUTHORIZED = 1008;

  private final WorkerSocketVerticle gateway;
  private final String name;
  private final String originsOption;
  private final OriginPolicy origins;
  private final WorkerGate gate;
  private final RefusalLog refusals;
  private HttpServer server;

  /**
   * @param name what the logs call it, e.g. {@code "public worker socket"}
   * @param originsOption the option listing its allowed origins, for the log
   */
  WorkerListener(WorkerSocketVerticle gateway, String name, String originsOption, OriginPolicy origins,
                 WorkerGate gate, RefusalLog refusals) {
    this.gateway = gateway;
    this.name = name;
    this.originsOption = originsOption;
    this.origins = origins;
    this.gate = gate;
    this.refusals = refusals;
  }

  Future<HttpServer> listen(String host, int port) {
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setMaxWebSocketFrameSize(gateway.limits().getMaxFrameBytes())
        .setMaxWebSocketMessageSize(gateway.limits().getMaxFrameBytes());
    server = gateway.vertx().createHttpServer(serverOptions)
        .webSocketHandshakeHandler(this::onHandshake)
        .requestHandler(req -> req.response().setStatusCode(426)
            .putHeader("content-type", "text/plain")
            .end("streamnode " + name + ": connect an iii SDK worker with a WebSocket\n"));
    return server.listen().onSuccess(s -> LOG.fine(() -> name + " listening on " + host + ":" + s.actualPort()));
  }

  /** The port actually bound (useful with port 0). */
  int actualPort() {
    return server.actualPort();
  }

  Future<Void> shutdown() {
    return server == null ? Future.succeededFuture() : server.shutdown();
  }

  /** Rate-limited log of refusals and bad input on this listener. */
  RefusalLog refusals() {
    return refusals;
  }

  private void onHandshake(ServerWebSocketHandshake handshake) {
    String path = handshake.path();
    String origin = handshake.headers().get(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      refuse(handshake, 403, "origin " + origin + " is not in " + originsOption);
      return;
    }
    String refused = gate.refuseUpgrade(handshake);
    if (refused != null) {
      refuse(handshake, 401, refused);
      return;
    }
    if (!WorkerSocketVerticle.WORKER_PATH.equals(path) && !WorkerSocketVerticle.OTEL_PATH.equals(path)) {
      handshake.reject(404);
      return;
    }
    String ip = handshake.remoteAddress().hostAddress();
    String full = gateway.admission().tryAcquire(ip);
    if (full != null) {
      refuse(handshake, 503, full);
      return;
    }
    // Started before the accept so that it reads the request while it is certainly there.
    Future<WorkerAccess> access = gate.authenticate(handshake);
    handshake.accept().onFailure(err -> gateway.admission().release(ip)).onSuccess(ws -> {
      // As iii, nothing the client sends is handled before it is authenticated; it waits.
      ws.pause();
      ws.closeHandler(v -> gateway.socketClosed(ws));
      access.onComplete(ar -> {
        if (ws.isClosed()) {
          return;
        }
        if (ar.failed()) {
          refuseConnection(handshake, ws, FunctionBus.asFunctionException(ar.cause()));
          return;
        }
        if (WorkerSocketVerticle.WORKER_PATH.equals(path)) {
          WorkerConnection connection = new WorkerConnection(gateway, this, ws, ar.result());
          gateway.connectionOpened(connection);
          NodeMetrics.workerConnectionOpened();
          LOG.fine(() -> "worker " + connection + " connected to the " + name + " from " + ws.remoteAddress());
        } else {
          // Telemetry is not collected; accepting it keeps the SDK from reconnecting and logging forever.
          ws.handler(frame -> { });
        }
        ws.resume();
      });
    });
  }

  private void refuseConnection(ServerWebSocketHandshake handshake, ServerWebSocket ws, FunctionException why) {
    refusals.refused(name, handshake.remoteAddress(), why.code() + " after the upgrade of " + handshake.path()
        + ": " + why.getMessage());
    ws.writeTextMessage(WorkerFrames.error(why).encode())
        .eventually(() -> ws.close(CLOSE_UNAUTHORIZED, why.code()));
  }

  private void refuse(ServerWebSocketHandshake handshake, int status, String why) {
    refusals.refused(name, handshake.remoteAddress(), status + " on upgrade of " + handshake.path() + ": " + why);
    handshake.reject(status);
  }

  @Override
  public String toString() {
    return name;
  }
}
