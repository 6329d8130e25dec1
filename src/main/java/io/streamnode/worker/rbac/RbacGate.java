package io.streamnode.worker.rbac;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.security.HandshakeFields;
import io.streamnode.security.RefusalLog;
import io.streamnode.worker.WorkerAccess;
import io.streamnode.worker.WorkerGate;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Who may connect to the public worker socket, and with which grants: iii's RBAC authentication.
 * On every upgrade it calls {@code rbac.auth_function_id} with
 * {@code {headers, query_params, ip_address}} (headers lower-cased, query values as sent, each key
 * a list) and turns its answer into the connection's {@link RbacSession}. Fail-closed, as iii: a
 * failing or timed-out call ({@code limits.call_timeout_ms}), no result, or a result of the wrong
 * shape refuses the connection with {@code AUTH_ERROR}. Without {@code auth_function_id} every
 * connection gets iii's {@link AuthResult#OPEN} grants.
 */
public final class RbacGate implements WorkerGate {

  private final RbacOptions rbac;
  private final FunctionBus functions;
  private final Function<String, Object> metadataOf;
  private final RefusalLog refusals;

  /**
   * @param functions calls the auth function and the hooks
   * @param metadataOf the {@code metadata} a function id was registered with on this node, or {@code null}
   * @param refusals the listener's log of refusals and dropped registrations
   */
  public RbacGate(RbacOptions rbac, FunctionBus functions, Function<String, Object> metadataOf, RefusalLog refusals) {
    this.rbac = rbac;
    this.functions = functions;
    this.metadataOf = metadataOf;
    this.refusals = refusals;
  }

  @Override
  public Future<WorkerAccess> authenticate(ServerWebSocketHandshake handshake) {
    String ip = handshake.remoteAddress().hostAddress();
    String authFunction = rbac.getAuthFunctionId();
    if (authFunction == null) {
      return Future.succeededFuture(session(AuthResult.OPEN, ip));
    }
    JsonObject input = new JsonObject()
        .put("headers", HandshakeFields.headers(handshake.headers()))
        .put("query_params", HandshakeFields.queryParams(handshake.query()))
        .put("ip_address", ip);
    return functions.call(authFunction, input).transform(ar -> {
      if (ar.failed()) {
        return refused(FunctionBus.asFunctionException(ar.cause()).getMessage());
      }
      // A worker answering `result: null` gave no result, in iii as here.
      if (!ar.result().present() || ar.result().value() == null) {
        return refused("auth function returned no result");
      }
      try {
        return Future.succeededFuture(session(AuthResult.parse(ar.result().value()), ip));
      } catch (IllegalArgumentException e) {
        return refused(e.getMessage());
      }
    });
  }

  private WorkerAccess session(AuthResult grants, String ip) {
    return new RbacSession(rbac, grants, functions, metadataOf, refusals, ip);
  }

  private static Future<WorkerAccess> refused(String message) {
    return Future.failedFuture(new FunctionException(ErrorCode.AUTH_ERROR, message));
  }
}
