package io.streamnode.http;

import io.streamnode.ops.OperationsRoutes;
import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.security.BearerToken;
import io.streamnode.security.OriginPolicy;
import io.streamnode.http.route.RouteTable;
import io.streamnode.http.trigger.HttpTriggerHandler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP function API: {@code POST /functions/{function_id}} with the function's JSON input
 * answers 200 and the JSON result (204 when the function has no result), or an error status with
 * {@code {"error":{"code":..,"message":..}}}. {@code GET /health} answers {@code {"status":"ok"}}.
 * Function calls pass {@link ApiAccess} first: token, origin and content type.
 * Every other path is served by the {@code http} triggers' routes ({@link HttpTriggerHandler});
 * a path none serves is 404 {@code NOT_FOUND}.
 */
public class HttpApiVerticle extends VerticleBase {

  private final HttpApiOptions options;
  private final LimitsOptions limits;
  private final RouteTable routes;
  private FunctionBus functions;
  private OperationsRoutes operations;
  private HttpServer server;

  public HttpApiVerticle(HttpApiOptions options, LimitsOptions limits) {
    this(options, limits, new RouteTable());
  }

  /** @param routes the {@code http}-trigger routes to serve, kept up to date by the trigger dispatch */
  public HttpApiVerticle(HttpApiOptions options, LimitsOptions limits, RouteTable routes) {
    this.options = options;
    this.limits = limits;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> json(ctx.response(), 200, Buffer.buffer("{\"status\":\"ok\"}")));
    ApiAccess access = new ApiAccess(BearerToken.of(options.getToken(), options.getTokenFile(), "http_api.token"),
        new OriginPolicy(options.getAllowedOrigins()));
    // /ready and the dashboard's static files answer without a token (the page asks for it and
    // sends it with every call it makes); the metrics are data, behind the token when one is set.
    router.get("/metrics").handler(access);
    if (operations != null) operations.mount(router);
    router.route("/functions/*").handler(access);
    router.post("/functions/:function_id")
        .handler(BodyHandler.create(false).setBodyLimit(limits.getMaxBodyBytes()))
        .handler(this::invoke);
    new HttpTriggerHandler(vertx, routes, options, limits).mountOn(router);
    router.route().last().handler(ctx -> error(ctx.response(),
        new FunctionException("NOT_FOUND", "No route for " + ctx.request().method() + " " + ctx.request().path()
            + "; call functions with POST /functions/{function_id} or register an http trigger", 404)));
    router.errorHandler(413, ctx -> error(ctx.response(), new FunctionException(ErrorCode.PAYLOAD_TOO_LARGE,
        "request body is larger than " + limits.getMaxBodyBytes() + " bytes (limits.max_body_bytes)")));
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(options.getPort(), options.getHost());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown();
  }

  /** Serves the operator's routes too ({@link OperationsRoutes}); call before deploying. */
  public HttpApiVerticle withOperations(OperationsRoutes operations) {
    this.operations = operations;
    return this;
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void invoke(RoutingContext ctx) {
    String functionId = ctx.pathParam("function_id");
    Buffer body = ctx.body().buffer();
    Object input;
    try {
      input = body == null || body.length() == 0 ? new JsonObject() : Json.decodeValue(body);
    } catch (DecodeException e) {
      error(ctx.response(), new FunctionException(ErrorCode.INVALID_JSON, "request body is not valid JSON"));
      return;
    }
    functions.call(functionId, input).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx.response(), FunctionBus.asFunctionException(ar.cause()));
      } else if (!ar.result().present()) {
        ctx.response().setStatusCode(204).end();
      } else {
        json(ctx.response(), 200, Json.encodeToBuffer(ar.result().value()));
      }
    });
  }

  static void error(HttpServerResponse response, FunctionException e) {
    json(response, e.status(), new JsonObject().put("error", e.toJson()).toBuffer());
  }

  private static void json(HttpServerResponse response, int status, Buffer body) {
    if (!response.ended()) {
      response.setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }
  }
}
