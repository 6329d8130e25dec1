package io.streamnode.worker;

import io.streamnode.security.BearerToken;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocketHandshake;

/**
 * The worker socket's gate: with {@code worker_socket.token} set, a worker upgrade without
 * {@code Authorization: Bearer <token>} is refused with 401; a worker let in is trusted with
 * everything. {@code /otel} needs no token: the SDKs open it without their headers, and everything
 * sent there is dropped.
 */
final class TokenGate implements WorkerGate {

  private final BearerToken token;

  TokenGate(BearerToken token) {
    this.token = token;
  }

  @Override
  public String refuseUpgrade(ServerWebSocketHandshake handshake) {
    if (WorkerSocketVerticle.WORKER_PATH.equals(handshake.path())
        && !token.accepts(handshake.headers().get(HttpHeaders.AUTHORIZATION))) {
      return "missing or wrong bearer token (worker_socket.token)";
    }
    return null;
  }

  @Override
  public Future<WorkerAccess> authenticate(ServerWebSocketHandshake handshake) {
    return Future.succeededFuture(WorkerAccess.TRUSTED);
  }
}
