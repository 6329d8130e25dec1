package io.streamnode.http.trigger;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.FunctionBus;
import io.streamnode.http.HttpApiOptions;
import io.streamnode.http.MiddlewareOptions;
import io.streamnode.http.route.HttpRoute;
import io.streamnode.http.route.RouteMatch;
import io.streamnode.http.route.RoutePath;
import io.streamnode.http.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Serves the {@code http}-trigger routes on the HTTP API's router, in iii's order:
 * <ol>
 *   <li>route match (no route for the path: on to the router's 404; the path has routes for
 *       other methods: 405), CORS preflight answered, the concurrency cap (503);</li>
 *   <li>global middleware ({@code http_api.middleware}, by priority);</li>
 *   <li>the body: JSON declared and not JSON is 400 {@code INVALID_JSON}, the handler not called;</li>
 *   <li>the condition ({@code false}: 422 {@code CONDITION_NOT_MET} with {@code "skipped": true});</li>
 *   <li>the route's own middleware, in order;</li>
 *   <li>the handler, whose {@code {status_code, body, headers}} is the response (anything else:
 *       500 {@code INVALID_RESPONSE}, logged).</li>
 * </ol>
 * Runs on the HTTP API verticle's event loop; its in-flight count is confined to it.
 */
public final class HttpTriggerHandler implements Handler<RoutingContext> {

  private static final Logger LOG = Logger.getLogger(HttpTriggerHandler.class.getName());

  private final RouteTable routes;
  private final LimitsOptions limits;
  private final int concurrencyLimit;
  private final List<String> globalMiddleware;
  private final CorsPolicy cors;
  private final FunctionBus functions;
  private final MiddlewareChain middleware;
  private int inFlight;

  /**
   * @param routes the routes to serve (kept up to date by the trigger dispatch)
   * @param options CORS, global middleware and the concurrency cap
   * @param limits body size and call timeout
   */
  public HttpTriggerHandler(Vertx vertx, RouteTable routes, HttpApiOptions options, LimitsOptions limits) {
    this.routes = routes;
    this.limits = limits;
    this.concurrencyLimit = options.getConcurrencyLimit();
    this.globalMiddleware = options.getMiddleware().stream()
        .sorted(Comparator.comparingLong(MiddlewareOptions::getPriority))
        .map(MiddlewareOptions::getFunctionId).toList();
    this.cors = new CorsPolicy(options.getCors());
    this.functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    this.middleware = new MiddlewareChain(functions);
  }

  /**
   * Adds the routes to {@code router} as a catch-all: mount it after the router's own routes and
   * before its 404. The body is read (up to {@code limits.max_body_bytes}, else 413) first.
   */
  public void mountOn(Router router) {
    router.route()
        .handler(BodyHandler.create(false).setBodyLimit(limits.getMaxBodyBytes()).setMergeFormAttributes(false))
        .handler(this)
        .failureHandler(this::failed);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    List<String> segments = RoutePath.requestSegments(request.path());
    if (segments == null) {
      ctx.next();
      return;
    }
    if (CorsPolicy.isPreflight(request)) {
      if (routes.methods(segments).isEmpty()) {
        ctx.next();
      } else {
        cors.answerPreflight(request, ctx.response());
      }
      return;
    }
    RouteMatch match = routes.match(request.method().name(), segments);
    if (match == null) {
      Set<String> methods = routes.methods(segments);
      if (methods.isEmpty()) {
        ctx.next();
        return;
      }
      cors.decorate(request, ctx.response());
      ctx.response().putHeader("allow", String.join(",", methods));
      ErrorEnvelope.send(ctx.response(), RouteErrorCode.METHOD_NOT_ALLOWED);
      return;
    }
    cors.decorate(request, ctx.response());
    if (inFlight >= concurrencyLimit) {
      LOG.warning("http route " + match.route().method() + " " + match.route().path() + ": " + inFlight
          + " requests in flight reached http_api.concurrency_limit (" + concurrencyLimit + "); answered 503");
      ErrorEnvelope.response(RouteErrorCode.SERVICE_UNAVAILABLE).send(ctx.response());
      return;
    }
    inFlight++;
    ctx.addEndHandler(v -> inFlight--);
    serve(ctx, match).onComplete(ar -> {
      ApiResponse response = ar.succeeded() ? ar.result()
          : ErrorEnvelope.response(RouteErrorCode.INTERNAL_ERROR, String.valueOf(ar.cause()));
      response.send(ctx.response());
    });
  }

  /** The pipeline after the match; completes with the response to send. */
  private Future<ApiResponse> serve(RoutingContext ctx, RouteMatch match) {
    HttpServerRequest request = ctx.request();
    HttpRoute route = match.route();
    JsonObject context = new JsonObject();
    return middleware.run(globalMiddleware, c -> ApiRequest.middlewareInput(request, match, c), context)
        .compose(early -> {
          if (early != null) {
            return Future.succeededFuture(early);
          }
          Object body;
          try {
            body = ApiRequest.body(request, ctx.body().buffer());
          } catch (ApiRequest.MalformedBody e) {
            return Future.succeededFuture(ErrorEnvelope.response(RouteErrorCode.INVALID_JSON, e.getMessage()));
          }
          return condition(route, ApiRequest.of(request, match, body, context)).compose(skip -> {
            if (skip != null) {
              return Future.succeededFuture(skip);
            }
            return middleware.run(route.middlewareFunctionIds(), c -> ApiRequest.middlewareInput(request, match, c), context)
                .compose(stop -> stop != null ? Future.succeededFuture(stop)
                    // Built again: route middleware may have added to the context.
                    : handler(route, ApiRequest.of(request, match, body, context)));
          });
        });
  }

  /** {@code null} to go on, or the response that ends the request (422 when the condition says {@code false}). */
  private Future<ApiResponse> condition(HttpRoute route, JsonObject input) {
    if (route.conditionFunctionId() == null) {
      return Future.succeededFuture();
    }
    return functions.call(route.conditionFunctionId(), input).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(ErrorEnvelope.failure("condition", route.conditionFunctionId(), ar.cause(),
            RouteErrorCode.TIMEOUT));
      }
      if (Boolean.FALSE.equals(ar.result().value())) {
        ApiResponse skipped = ErrorEnvelope.response(RouteErrorCode.CONDITION_NOT_MET);
        ((JsonObject) skipped.body()).put("skipped", true);
        return Future.succeededFuture(skipped);
      }
      return Future.succeededFuture();
    });
  }

  private Future<ApiResponse> handler(HttpRoute route, JsonObject input) {
    return functions.call(route.functionId(), input).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(ErrorEnvelope.failure("handler", route.functionId(), ar.cause(),
            RouteErrorCode.TIMEOUT));
      }
      try {
        return Future.succeededFuture(ApiResponse.from(ar.result().present() ? ar.result().value() : null));
      } catch (ApiResponse.Invalid e) {
        return Future.succeededFuture(ErrorEnvelope.response(RouteErrorCode.INVALID_RESPONSE,
            "handler " + route.functionId() + " of " + route.method() + " " + route.path() + ": " + e.getMessage()));
      }
    });
  }

  /** Failures before the handler ran: the body limit (413), or anything unexpected (500). */
  private void failed(RoutingContext ctx) {
    List<String> segments = RoutePath.requestSegments(ctx.request().path());
    if (segments == null || routes.methods(segments).isEmpty()) {
      // Not one of ours (this catch-all also sees the function API's failures): the router's error handlers.
      ctx.next();
      return;
    }
    cors.decorate(ctx.request(), ctx.response());
    if (ctx.statusCode() == 413) {
      ErrorEnvelope.response(RouteErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than "
          + limits.getMaxBodyBytes() + " bytes (limits.max_body_bytes)").send(ctx.response());
    } else {
      ErrorEnvelope.response(RouteErrorCode.INTERNAL_ERROR, String.valueOf(ctx.failure())).send(ctx.response());
    }
  }
}
