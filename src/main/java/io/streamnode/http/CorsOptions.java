package io.streamnode.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * CORS of the HTTP-trigger routes (YAML section {@code http_api.cors}), as iii's
 * {@code cors.allowed_origins} / {@code cors.allowed_methods}. An empty list allows any value,
 * as in iii: list origins or methods explicitly to restrict them.
 */
public class CorsOptions {

  /** Origins a browser may call the routes from ({@code "*"}: any). Default: empty, any origin. */
  public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of();
  /** Methods a preflight may ask for. Default: empty, any method. */
  public static final List<String> DEFAULT_ALLOWED_METHODS = List.of();

  private List<String> allowedOrigins = new ArrayList<>(DEFAULT_ALLOWED_ORIGINS);
  private List<String> allowedMethods = new ArrayList<>(DEFAULT_ALLOWED_METHODS);

  public CorsOptions() {
  }

  public CorsOptions(CorsOptions other) {
    this(other.toJson());
  }

  public CorsOptions(JsonObject json) {
    allowedOrigins = strings(json.getJsonArray("allowed_origins", new JsonArray(DEFAULT_ALLOWED_ORIGINS)));
    allowedMethods = strings(json.getJsonArray("allowed_methods", new JsonArray(DEFAULT_ALLOWED_METHODS)));
  }

  public JsonObject toJson() {
    return new JsonObject().put("allowed_origins", new JsonArray(new ArrayList<>(allowedOrigins)))
        .put("allowed_methods", new JsonArray(new ArrayList<>(allowedMethods)));
  }

  public List<String> getAllowedOrigins() { return allowedOrigins; }
  public CorsOptions setAllowedOrigins(List<String> v) { allowedOrigins = new ArrayList<>(v); return this; }
  public List<String> getAllowedMethods() { return allowedMethods; }
  public CorsOptions setAllowedMethods(List<String> v) { allowedMethods = new ArrayList<>(v); return this; }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>(array.size());
    for (Object o : array) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException("expected a list of strings, got " + array.encode());
      }
      list.add(s);
    }
    return list;
  }
}
