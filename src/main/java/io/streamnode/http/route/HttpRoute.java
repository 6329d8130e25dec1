package io.streamnode.http.route;

import io.streamnode.function.FunctionException;
import io.streamnode.trigger.Trigger;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An {@code http} trigger read as a route: {@code http_method} {@code api_path} calls
 * {@code function_id}, after the optional {@code condition_function_id} and the
 * {@code middleware_function_ids} in order.
 *
 * @param triggerId the trigger's id (registering it again replaces the route)
 * @param functionId the handler
 * @param method upper-case HTTP method
 * @param path the parsed {@code api_path}
 * @param conditionFunctionId the condition, or {@code null}
 * @param middlewareFunctionIds per-route middleware, in order
 */
public record HttpRoute(String triggerId, String functionId, String method, RoutePath path,
                        String conditionFunctionId, List<String> middlewareFunctionIds) {

  /** The methods iii's router serves. */
  public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  /** The error code of a refused {@code http} trigger registration. */
  public static final String REGISTRATION_FAILED = "trigger_registration_failed";

  /**
   * Reads an {@code http} trigger. A missing or malformed {@code api_path} or
   * {@code http_method}, or a mistyped condition or middleware list, is refused with a
   * {@code trigger_registration_failed} error naming the field.
   */
  public static HttpRoute of(Trigger trigger) {
    Object apiPath = trigger.config().getValue("api_path");
    if (!(apiPath instanceof String path)) {
      throw refused(trigger, "config.api_path is required (a string such as \"/users/:id\")");
    }
    RoutePath parsed;
    try {
      parsed = RoutePath.parse(path);
    } catch (IllegalArgumentException e) {
      throw refused(trigger, e.getMessage());
    }
    Object httpMethod = trigger.config().getValue("http_method");
    if (!(httpMethod instanceof String m)) {
      throw refused(trigger, "config.http_method is required (one of " + String.join(", ", sorted()) + ")");
    }
    String method = m.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw refused(trigger, "config.http_method " + m + " is not one of " + String.join(", ", sorted()));
    }
    Object condition = trigger.config().getValue("condition_function_id");
    if (condition != null && !(condition instanceof String)) {
      throw refused(trigger, "config.condition_function_id must be a string");
    }
    List<String> middleware = new ArrayList<>();
    Object ids = trigger.config().getValue("middleware_function_ids");
    if (ids != null) {
      if (!(ids instanceof JsonArray array)) {
        throw refused(trigger, "config.middleware_function_ids must be a list of function ids");
      }
      for (Object id : array) {
        if (!(id instanceof String s) || s.isEmpty()) {
          throw refused(trigger, "config.middleware_function_ids must be a list of function ids, got " + array.encode());
        }
        middleware.add(s);
      }
    }
    String cond = condition instanceof String c && !c.isEmpty() ? c : null;
    return new HttpRoute(trigger.id(), trigger.functionId(), method, parsed, cond, List.copyOf(middleware));
  }

  /** Method and shape: two routes with the same key are one route, and the later registration serves it. */
  String key() {
    return method + " " + path.shape();
  }

  private static List<String> sorted() {
    return METHODS.stream().sorted().toList();
  }

  private static FunctionException refused(Trigger trigger, String why) {
    return new FunctionException(REGISTRATION_FAILED, "http trigger " + trigger.id() + " refused: " + why, 400);
  }

  @Override
  public String toString() {
    return method + " " + path + " -> " + functionId + " (trigger " + triggerId + ")";
  }
}
