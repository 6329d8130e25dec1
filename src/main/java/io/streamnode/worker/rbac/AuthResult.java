package io.streamnode.worker.rbac;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What the auth function grants one connection, iii's {@code AuthResult}: every key optional,
 * unknown keys ignored, a key of the wrong type refuses the connection (iii's serde does the same).
 *
 * @param allowedFunctions function ids callable beyond {@code expose_functions} (exact ids)
 * @param forbiddenFunctions function ids never callable, whatever else allows them (exact ids)
 * @param allowedTriggerTypes trigger types the connection may register triggers of; {@code null}
 *     (absent): any
 * @param allowFunctionRegistration whether the connection may register functions (default true)
 * @param context handed to the registration hooks; {@code {}} when absent
 * @param functionRegistrationPrefix when set, each function the connection registers is served as
 *     {@code <prefix>::<id>} (and its triggers' {@code function_id} likewise), while the worker keeps
 *     seeing its own ids; {@code null}: none
 */
public record AuthResult(List<String> allowedFunctions, List<String> forbiddenFunctions,
                         List<String> allowedTriggerTypes, boolean allowFunctionRegistration, Object context,
                         String functionRegistrationPrefix) {

  /** iii's result for a listener without {@code auth_function_id}: registrations unrestricted. */
  public static final AuthResult OPEN = new AuthResult(List.of(), List.of(), null, true, new JsonObject(), null);

  /**
   * Reads the auth function's result.
   *
   * @throws IllegalArgumentException when it is not an object or a key has the wrong type
   */
  public static AuthResult parse(Object result) {
    if (!(result instanceof JsonObject r)) {
      throw new IllegalArgumentException("invalid type: expected an object, got " + describe(result));
    }
    List<String> allowed = strings(r, "allowed_functions", false);
    List<String> forbidden = strings(r, "forbidden_functions", false);
    List<String> triggerTypes = strings(r, "allowed_trigger_types", true);
    Object allowRegistration = r.getValue("allow_function_registration", Boolean.TRUE);
    if (!(allowRegistration instanceof Boolean allow)) {
      throw new IllegalArgumentException("allow_function_registration: expected a boolean, got " + describe(allowRegistration));
    }
    Object prefix = r.getValue("function_registration_prefix");
    if (prefix != null && !(prefix instanceof String)) {
      throw new IllegalArgumentException("function_registration_prefix: expected a string, got " + describe(prefix));
    }
    // iii: an absent context is {}, an explicit null stays null.
    Object context = r.containsKey("context") ? r.getValue("context") : new JsonObject();
    return new AuthResult(allowed, forbidden, triggerTypes, allow, context, (String) prefix);
  }

  /** A list of strings; absent is empty, or {@code null} when {@code optional} (then JSON null is too). */
  private static List<String> strings(JsonObject r, String key, boolean optional) {
    Object v = r.getValue(key);
    if (v == null && (optional || !r.containsKey(key))) {
      return optional ? null : List.of();
    }
    if (!(v instanceof JsonArray list)) {
      throw new IllegalArgumentException(key + ": expected a list of strings, got " + describe(v));
    }
    List<String> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException(key + ": expected a list of strings, got an item " + describe(item));
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  private static String describe(Object v) {
    return v == null ? "null" : v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
