package io.streamnode.http.trigger;

import io.streamnode.http.CorsOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CORS of the {@code http}-trigger routes, as iii's HTTP worker sets it up (tower-http's
 * {@code CorsLayer}): with empty lists (the default) any origin and method are allowed, and
 * responses carry {@code Access-Control-Allow-Origin: *}; with listed origins a request's
 * {@code Origin} is echoed when listed and nothing is added otherwise (the browser then refuses
 * the response). A preflight is answered 200 with the allowed methods and any header.
 */
final class CorsPolicy {

  private final boolean anyOrigin;
  private final Set<String> origins;
  private final String allowMethods;
  private final boolean permissive;

  CorsPolicy(CorsOptions options) {
    List<String> listed = options.getAllowedOrigins();
    anyOrigin = listed.isEmpty() || listed.contains("*");
    origins = Set.copyOf(listed);
    allowMethods = options.getAllowedMethods().isEmpty() ? "*"
        : options.getAllowedMethods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.joining(","));
    permissive = anyOrigin && options.getAllowedMethods().isEmpty();
  }

  /** An {@code OPTIONS} request with {@code Origin} and {@code Access-Control-Request-Method}. */
  static boolean isPreflight(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS && request.getHeader("origin") != null
        && request.getHeader("access-control-request-method") != null;
  }

  /** Answers a preflight: 200, empty, with what this policy allows. */
  void answerPreflight(HttpServerRequest request, HttpServerResponse response) {
    allowOrigin(request, response);
    response.putHeader("access-control-allow-methods", allowMethods)
        .putHeader("access-control-allow-headers", "*")
        .putHeader("vary", "origin, access-control-request-method, access-control-request-headers")
        .setStatusCode(200)
        .end();
  }

  /** Adds the CORS headers of an actual request's response (before it is sent). */
  void decorate(HttpServerRequest request, HttpServerResponse response) {
    if (request.getHeader("origin") == null) {
      return;
    }
    allowOrigin(request, response);
    if (permissive) {
      response.putHeader("access-control-expose-headers", "*");
    }
  }

  private void allowOrigin(HttpServerRequest request, HttpServerResponse response) {
    String origin = request.getHeader("origin");
    if (anyOrigin) {
      response.putHeader("access-control-allow-origin", "*");
    } else {
      response.putHeader("vary", "origin");
      if (origin != null && origins.contains(origin)) {
        response.putHeader("access-control-allow-origin", origin);
      }
    }
  }
}
