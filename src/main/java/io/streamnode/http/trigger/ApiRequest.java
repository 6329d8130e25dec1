package io.streamnode.http.trigger;

import io.streamnode.http.route.RouteMatch;
import io.streamnode.trigger.TriggerTypes;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * What a route's handler and condition get, iii's {@code ApiRequest}:
 * {@code {path, method, path_params, query_params, body, headers, trigger: {type, path, method},
 * context}}; and what middleware gets, iii's {@code {phase, request: {path_params, query_params,
 * headers, method}, context}}.
 * <ul>
 *   <li>{@code path} is the request's path; {@code trigger.path} the route's {@code api_path}.</li>
 *   <li>Header names are lower case; a header sent twice is one value joined with {@code ", "}.
 *       A query parameter sent twice keeps its last value, as in iii.</li>
 *   <li>{@code body}: a JSON body ({@code application/json} or {@code +json}) parsed, any other
 *       body as text, {@code null} when there is none.</li>
 *   <li>{@code context} starts empty; a middleware may add to it (see {@link MiddlewareChain}).</li>
 * </ul>
 */
final class ApiRequest {

  private ApiRequest() {
  }

  /** A request body that declared JSON and is not JSON. */
  static final class MalformedBody extends RuntimeException {
    MalformedBody(String message) {
      super(message, null, false, false);
    }
  }

  /** The body value: parsed JSON, text, or {@code null}; {@link MalformedBody} for bad JSON. */
  static Object body(HttpServerRequest request, Buffer raw) {
    if (raw == null || raw.length() == 0) {
      return null;
    }
    String type = request.getHeader("content-type");
    if (type != null && isJson(type)) {
      try {
        return Json.decodeValue(raw);
      } catch (DecodeException e) {
        throw new MalformedBody("request body is not valid JSON: " + e.getMessage());
      }
    }
    return raw.toString();
  }

  private static boolean isJson(String contentType) {
    String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return media.equals("application/json") || media.endsWith("+json");
  }

  /** The handler's (and condition's) input. */
  static JsonObject of(HttpServerRequest request, RouteMatch match, Object body, JsonObject context) {
    return new JsonObject()
        .put("path", request.path())
        .put("method", request.method().name())
        .put("path_params", pathParams(match))
        .put("query_params", queryParams(request))
        .put("body", body)
        .put("headers", headers(request))
        .put("trigger", new JsonObject().put("type", TriggerTypes.HTTP)
            .put("path", match.route().path().pattern()).put("method", request.method().name()))
        .put("context", context);
  }

  /** A middleware's input (no body, as in iii). */
  static JsonObject middlewareInput(HttpServerRequest request, RouteMatch match, JsonObject context) {
    return new JsonObject()
        .put("phase", "preHandler")
        .put("request", new JsonObject()
            .put("path_params", pathParams(match))
            .put("query_params", queryParams(request))
            .put("headers", headers(request))
            .put("method", request.method().name()))
        .put("context", context);
  }

  private static JsonObject pathParams(RouteMatch match) {
    JsonObject params = new JsonObject();
    match.pathParams().forEach(params::put);
    return params;
  }

  private static JsonObject queryParams(HttpServerRequest request) {
    JsonObject params = new JsonObject();
    MultiMap query = request.params();
    for (String name : query.names()) {
      var all = query.getAll(name);
      params.put(name, all.get(all.size() - 1));
    }
    return params;
  }

  private static JsonObject headers(HttpServerRequest request) {
    JsonObject headers = new JsonObject();
    for (Map.Entry<String, String> h : request.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      String seen = headers.getString(name);
      headers.put(name, seen == null ? h.getValue() : seen + ", " + h.getValue());
    }
    return headers;
  }
}
