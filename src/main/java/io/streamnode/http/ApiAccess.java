package io.streamnode.http;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionException;
import io.streamnode.security.BearerToken;
import io.streamnode.security.OriginPolicy;
import io.streamnode.security.RefusalLog;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/**
 * Who may call functions over HTTP, checked before the body is read:
 * <ol>
 *   <li>a request carrying an {@code Origin} not in {@code http_api.allowed_origins} gets 403
 *       {@code forbidden_origin} (a web page the user happens to visit cannot call the node),
 *       unless it is this API's own origin by IP address or {@code localhost} (the dashboard);</li>
 *   <li>without {@code Authorization: Bearer <http_api.token>} (when set), 401 {@code unauthorized};</li>
 *   <li>a body that is not {@code Content-Type: application/json} gets 415
 *       {@code unsupported_media_type}: browsers send such requests cross-site without a CORS
 *       preflight ({@code text/plain}, forms), so accepting them would let any page write.</li>
 * </ol>
 * For allowed origins it answers the CORS preflight and adds {@code Access-Control-Allow-Origin}.
 */
final class ApiAccess implements Handler<RoutingContext> {

  private static final Logger LOG = Logger.getLogger(ApiAccess.class.getName());
  private static final String LISTENER = "http api";

  private final BearerToken token;
  private final OriginPolicy origins;
  private final RefusalLog refusals = new RefusalLog(LOG);

  ApiAccess(BearerToken token, OriginPolicy origins) {
    this.token = token;
    this.origins = origins;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin) && !sameOrigin(origin, request.getHeader(HttpHeaders.HOST))) {
      refuse(ctx, new FunctionException(ErrorCode.FORBIDDEN_ORIGIN,
          "requests from origin " + origin + " are not allowed (http_api.allowed_origins)"));
      return;
    }
    if (origin != null) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
      if (request.method() == HttpMethod.OPTIONS) {
        ctx.response().setStatusCode(204)
            .putHeader("Access-Control-Allow-Methods", "POST")
            .putHeader("Access-Control-Allow-Headers", "authorization, content-type")
            .putHeader("Access-Control-Max-Age", "600")
            .end();
        return;
      }
    }
    if (!token.accepts(request.getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      refuse(ctx, new FunctionException(ErrorCode.UNAUTHORIZED,
          "missing or wrong bearer token (Authorization: Bearer <http_api.token>)"));
      return;
    }
    if (request.method() == HttpMethod.POST && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      refuse(ctx, new FunctionException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send the input as Content-Type: application/json"));
      return;
    }
    ctx.next();
  }

  /**
   * A page served by this API itself (the dashboard) calling it: its {@code Origin} names the host
   * and port the request was sent to. Only for an IP literal or {@code localhost}: a DNS name may
   * be rebound by an attacker to this address, and then its pages would look same-origin too.
   */
  static boolean sameOrigin(String origin, String host) {
    if (origin == null || host == null) {
      return false;
    }
    int scheme = origin.indexOf("://");
    if (scheme < 0 || !origin.substring(scheme + 3).equalsIgnoreCase(host)) {
      return false;
    }
    String name = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']')))
        : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    return name.equalsIgnoreCase("localhost") || name.matches("[0-9.]+") || name.contains(":");
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip();
    return type.equalsIgnoreCase("application/json");
  }

  private void refuse(RoutingContext ctx, FunctionException error) {
    refusals.refused(LISTENER, ctx.request().remoteAddress(),
        error.status() + " " + error.code() + " on " + ctx.request().method() + " " + ctx.request().path());
    // The body is never read: close the connection rather than drain an upload nobody wants.
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    HttpApiVerticle.error(ctx.response(), error);
  }
}
