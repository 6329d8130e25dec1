package io.streamnode.worker.rbac;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.security.RefusalLog;
import io.streamnode.worker.WorkerAccess;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * The grants of one connection to the public worker socket, iii's RBAC {@code Session}: its auth
 * result applied to every call it makes and every registration it sends.
 * <p>
 * A call is allowed, in this order (iii's {@code is_function_allowed}): never when the id is in
 * {@code forbidden_functions}; when it is in {@code allowed_functions}; when it is one of iii's
 * always-allowed infrastructure ids; when any {@code expose_functions} rule matches; otherwise not.
 * <p>
 * A registration is dropped, silently for the worker, when the auth result forbids it
 * ({@code allow_function_registration: false}, a trigger type outside {@code allowed_trigger_types})
 * or its hook fails or answers anything but an object; each drop is logged within the listener's
 * refusal budget.
 */
public final class RbacSession implements WorkerAccess {

  /**
   * iii's infrastructure carve-out: ids an RBAC listener always lets a connection call so that
   * connection setup and logging work whatever the filters say ({@code forbidden_functions} still
   * wins). Only {@code engine::workers::register} exists in streamnode; the others answer
   * {@code function_not_found}, as any unknown id.
   */
  static final List<String> INFRASTRUCTURE_FUNCTIONS = List.of(
      "engine::channels::create",
      "engine::workers::register",
      "engine::log::info",
      "engine::log::warn",
      "engine::log::error",
      "engine::log::debug",
      "engine::log::trace",
      "engine::baggage::get",
      "engine::baggage::set",
      "engine::baggage::get_all");

  private final RbacOptions rbac;
  private final AuthResult grants;
  private final FunctionBus functions;
  private final Function<String, Object> metadataOf;
  private final RefusalLog refusals;
  private final String client;

  /**
   * @param rbac the listener's rules
   * @param grants what the auth function answered for this connection
   * @param functions calls the registration hooks (bounded by {@code limits.call_timeout_ms})
   * @param metadataOf the {@code metadata} a function id was registered with on this node, or {@code null}
   * @param refusals where dropped registrations are logged
   * @param client the connection's remote address, for the log
   */
  public RbacSession(RbacOptions rbac, AuthResult grants, FunctionBus functions, Function<String, Object> metadataOf,
                     RefusalLog refusals, String client) {
    this.rbac = rbac;
    this.grants = grants;
    this.functions = functions;
    this.metadataOf = metadataOf;
    this.refusals = refusals;
    this.client = client;
  }

  /** The auth result this session applies. */
  public AuthResult grants() {
    return grants;
  }

  @Override
  public FunctionException refuseCall(String functionId) {
    if (grants.forbiddenFunctions().contains(functionId)) {
      return forbidden(functionId, "remove from rbac.forbidden_functions");
    }
    if (grants.allowedFunctions().contains(functionId) || INFRASTRUCTURE_FUNCTIONS.contains(functionId)) {
      return null;
    }
    Object metadata = metadataOf.apply(functionId);
    for (FunctionFilter filter : rbac.exposeFilters()) {
      if (filter.matches(functionId, metadata)) {
        return null;
      }
    }
    return forbidden(functionId, "add to rbac.expose_functions");
  }

  private static FunctionException forbidden(String functionId, String remedy) {
    return new FunctionException(ErrorCode.FORBIDDEN, "function '" + functionId + "' not allowed (" + remedy + ")");
  }

  @Override
  public Future<JsonObject> admitFunction(JsonObject registration) {
    String id = registration.getString("id");
    if (!grants.allowFunctionRegistration()) {
      return dropped("registerfunction " + id, "function registration not allowed for this session");
    }
    String hook = rbac.getOnFunctionRegistrationFunctionId();
    Future<JsonObject> vetted = hook == null ? Future.succeededFuture(registration.copy())
        : askHook(hook, new JsonObject()
            .put("function_id", id)
            .put("description", registration.getValue("description"))
            .put("metadata", registration.getValue("metadata"))
            .put("context", grants.context()), "registerfunction " + id)
        .map(mapped -> mapped == null ? null : apply(registration.copy(), mapped,
            Map.of("function_id", "id", "description", "description"), List.of("metadata")));
    return vetted.map(r -> r == null ? null : r.put("id", servedId(r.getString("id"))));
  }

  @Override
  public Future<JsonObject> admitTrigger(JsonObject registration) {
    String id = registration.getString("id");
    String type = registration.getString("trigger_type");
    if (grants.allowedTriggerTypes() != null && !grants.allowedTriggerTypes().contains(type)) {
      return dropped("registertrigger " + id + " (" + type + ")", "trigger type " + type + " not in allowed_trigger_types");
    }
    String hook = rbac.getOnTriggerRegistrationFunctionId();
    Future<JsonObject> vetted = hook == null ? Future.succeededFuture(registration.copy())
        : askHook(hook, new JsonObject()
            .put("trigger_id", id)
            .put("trigger_type", type)
            .put("function_id", registration.getString("function_id"))
            .put("config", registration.getValue("config"))
            .put("metadata", registration.getValue("metadata"))
            .put("context", grants.context()), "registertrigger " + id + " (" + type + ")")
        .map(mapped -> mapped == null ? null : apply(registration.copy(), mapped,
            Map.of("trigger_id", "id", "trigger_type", "trigger_type", "function_id", "function_id"), List.of("config")));
    // The prefix comes after the hook, as in iii: the hook sees and maps the worker's own ids.
    return vetted.map(r -> r == null ? null : r.put("function_id", servedId(r.getString("function_id"))));
  }

  /**
   * Calls a registration hook: its object result, or {@code null} (drop) for an error, no result or
   * anything else.
   */
  private Future<JsonObject> askHook(String hook, JsonObject input, String what) {
    return functions.call(hook, input).transform(ar -> {
      if (ar.succeeded() && ar.result().value() instanceof JsonObject mapped) {
        return Future.succeededFuture(mapped);
      }
      return dropped(what, "hook " + hook + (ar.failed() ? " failed: " + ar.cause().getMessage()
          : " answered " + (ar.result().present() ? ar.result().value() : "no result")));
    });
  }

  /**
   * Copies what a hook mapped into the registration, as iii does: a string field (hook key to
   * frame key) only when the hook gave a string, a value field whenever the hook gave the key.
   */
  private static JsonObject apply(JsonObject registration, JsonObject mapped, Map<String, String> stringFields,
                                  List<String> valueFields) {
    stringFields.forEach((hookKey, frameKey) -> {
      if (mapped.getValue(hookKey) instanceof String s) {
        registration.put(frameKey, s);
      }
    });
    for (String key : valueFields) {
      if (mapped.containsKey(key)) {
        registration.put(key, mapped.getValue(key));
      }
    }
    return registration;
  }

  private Future<JsonObject> dropped(String what, String why) {
    refusals.note(Level.INFO, "public worker socket: dropped " + what + " from " + client + ": " + why);
    return Future.succeededFuture(null);
  }

  @Override
  public String servedId(String workerFunctionId) {
    String prefix = grants.functionRegistrationPrefix();
    return prefix == null ? workerFunctionId : prefix + "::" + workerFunctionId;
  }

  @Override
  public String workerFunctionId(String servedId) {
    String prefix = grants.functionRegistrationPrefix();
    // iii strips the prefix when it is there and sends the id unchanged otherwise.
    return prefix != null && servedId.startsWith(prefix + "::") ? servedId.substring(prefix.length() + 2) : servedId;
  }

  @Override
  public String toString() {
    return "rbac session of " + client;
  }
}
