package io.streamnode.worker;

import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocketHandshake;

/**
 * How a worker-protocol listener decides who may connect, and with what {@link WorkerAccess}: the
 * worker socket checks a bearer token before the upgrade ({@link TokenGate}); the public worker
 * socket asks its auth function once the upgrade is accepted ({@link io.streamnode.worker.rbac.RbacGate}).
 */
public interface WorkerGate {

  /**
   * Checked before the upgrade is accepted: {@code null} lets it through, else why it is refused
   * with 401. None by default.
   */
  default String refuseUpgrade(ServerWebSocketHandshake handshake) {
    return null;
  }

  /**
   * Called as the upgrade is accepted (the connection's frames wait meanwhile): completes with the
   * connection's access, or fails with a {@link io.streamnode.function.FunctionException} whose
   * code and message go to the client in an {@code error} frame before the connection is closed.
   */
  Future<WorkerAccess> authenticate(ServerWebSocketHandshake handshake);
}
