package io.streamnode.worker;

import io.streamnode.function.FunctionException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What one worker connection may do: which functions it may call, and which of its registrations
 * take effect and under which ids. The worker socket trusts its workers ({@link #TRUSTED}, iii's
 * listener without an {@code rbac} block); each connection of the public worker socket gets the
 * grants of its auth result ({@link io.streamnode.worker.rbac.RbacSession}).
 * <p>
 * Called on the worker socket's event loop. A registration whose future is not complete at once
 * holds the connection's next frames until it is, as iii handles a worker's frames one at a time.
 */
public interface WorkerAccess {

  /** Everything allowed, ids unchanged: the private worker socket. */
  WorkerAccess TRUSTED = new WorkerAccess() {
    @Override
    public FunctionException refuseCall(String functionId) {
      return null;
    }

    @Override
    public Future<JsonObject> admitFunction(JsonObject registration) {
      return Future.succeededFuture(registration);
    }

    @Override
    public Future<JsonObject> admitTrigger(JsonObject registration) {
      return Future.succeededFuture(registration);
    }

    @Override
    public String servedId(String workerFunctionId) {
      return workerFunctionId;
    }

    @Override
    public String workerFunctionId(String servedId) {
      return servedId;
    }

    @Override
    public String toString() {
      return "trusted";
    }
  };

  /** {@code null} when the connection may call {@code functionId}, else the error to answer it with. */
  FunctionException refuseCall(String functionId);

  /**
   * Vets a {@code registerfunction} frame. Completes with the registration to apply (fields a hook
   * replaced, the id as it is served) or with {@code null}: the registration is dropped without a
   * word to the worker, as iii drops it.
   */
  Future<JsonObject> admitFunction(JsonObject registration);

  /** Vets a {@code registertrigger} frame, as {@link #admitFunction}. */
  Future<JsonObject> admitTrigger(JsonObject registration);

  /** The id under which a function the worker registers as {@code workerFunctionId} is served. */
  String servedId(String workerFunctionId);

  /** The id the worker knows a function served as {@code servedId} by: what calls sent to it carry. */
  String workerFunctionId(String servedId);
}
