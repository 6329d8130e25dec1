package io.streamnode.worker.rbac;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code rbac} block of the public worker socket (YAML {@code public_worker_socket.rbac}), with
 * iii's keys and meanings ({@code iii-worker-manager}'s {@code RbacConfig}): who may connect, which
 * functions a connection may call, and which hooks vet its registrations.
 */
public class RbacOptions {

  /**
   * Function called on every upgrade with {@code {headers, query_params, ip_address}}; it answers
   * the connection's {@link AuthResult} or fails to refuse it. {@code null}: every connection is
   * let in with iii's default result, and {@code expose_functions} alone gates calls.
   */
  public static final String DEFAULT_AUTH_FUNCTION_ID = null;
  /**
   * Called before each {@code registerfunction} with {@code {function_id, description, metadata,
   * context}}; an object result may replace those fields, anything else (an error, no result) drops
   * the registration. {@code null}: no hook.
   */
  public static final String DEFAULT_ON_FUNCTION_REGISTRATION_FUNCTION_ID = null;
  /**
   * Called before each {@code registertrigger} with {@code {trigger_id, trigger_type, function_id,
   * config, metadata, context}}; as the function hook. {@code null}: no hook.
   */
  public static final String DEFAULT_ON_TRIGGER_REGISTRATION_FUNCTION_ID = null;

  private String authFunctionId = DEFAULT_AUTH_FUNCTION_ID;
  /**
   * Functions a connection may call: {@code match("pattern")} strings and {@code {metadata: {...}}}
   * mappings (see {@link FunctionFilter}). Empty by default: nothing is exposed but what the auth
   * result's {@code allowed_functions} grants.
   */
  private JsonArray exposeFunctions = new JsonArray();
  private List<FunctionFilter> exposeFilters = List.of();
  private String onFunctionRegistrationFunctionId = DEFAULT_ON_FUNCTION_REGISTRATION_FUNCTION_ID;
  private String onTriggerRegistrationFunctionId = DEFAULT_ON_TRIGGER_REGISTRATION_FUNCTION_ID;

  public RbacOptions() {
  }

  public RbacOptions(RbacOptions other) {
    this(other.toJson());
  }

  /** @throws IllegalArgumentException when an {@code expose_functions} rule is malformed */
  public RbacOptions(JsonObject json) {
    authFunctionId = json.getString("auth_function_id", DEFAULT_AUTH_FUNCTION_ID);
    setExposeFunctions(json.getJsonArray("expose_functions", new JsonArray()).getList());
    onFunctionRegistrationFunctionId = json.getString("on_function_registration_function_id",
        DEFAULT_ON_FUNCTION_REGISTRATION_FUNCTION_ID);
    onTriggerRegistrationFunctionId = json.getString("on_trigger_registration_function_id",
        DEFAULT_ON_TRIGGER_REGISTRATION_FUNCTION_ID);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("auth_function_id", authFunctionId)
        .put("expose_functions", exposeFunctions.copy())
        .put("on_function_registration_function_id", onFunctionRegistrationFunctionId)
        .put("on_trigger_registration_function_id", onTriggerRegistrationFunctionId);
  }

  public String getAuthFunctionId() { return authFunctionId; }
  public RbacOptions setAuthFunctionId(String v) { authFunctionId = v; return this; }

  /** The rules as configured (strings and mappings). */
  public List<Object> getExposeFunctions() { return exposeFunctions.copy().getList(); }

  /**
   * @param rules {@code match("...")} strings and {@code {metadata: {...}}} mappings (Vert.x JSON or
   *     plain maps)
   * @throws IllegalArgumentException when a rule is malformed
   */
  public RbacOptions setExposeFunctions(List<?> rules) {
    JsonArray copy = new JsonArray(new ArrayList<>(rules)).copy();
    List<FunctionFilter> parsed = new ArrayList<>();
    for (int i = 0; i < copy.size(); i++) {
      try {
        parsed.add(FunctionFilter.parse(copy.getValue(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expose_functions[" + i + "]: " + e.getMessage(), e);
      }
    }
    exposeFunctions = copy;
    exposeFilters = List.copyOf(parsed);
    return this;
  }

  /** The parsed {@code expose_functions} rules. */
  public List<FunctionFilter> exposeFilters() { return exposeFilters; }

  public String getOnFunctionRegistrationFunctionId() { return onFunctionRegistrationFunctionId; }
  public RbacOptions setOnFunctionRegistrationFunctionId(String v) { onFunctionRegistrationFunctionId = v; return this; }
  public String getOnTriggerRegistrationFunctionId() { return onTriggerRegistrationFunctionId; }
  public RbacOptions setOnTriggerRegistrationFunctionId(String v) { onTriggerRegistrationFunctionId = v; return this; }
}
