package io.streamnode.http.trigger;

import io.streamnode.function.FunctionBus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Runs middleware functions one after another, as iii does. Each gets
 * {@code {phase: "preHandler", request: {path_params, query_params, headers, method}, context}}
 * and answers:
 * <ul>
 *   <li>{@code {action: "continue"}}: the next one runs. A {@code context} object in the answer
 *       is merged into the request's {@code context}, which later middleware and the handler
 *       get (iii documents {@code context} as "populated by middleware").</li>
 *   <li>{@code {action: "respond", response: {status_code, body, headers}}}: that response is
 *       sent, nothing after it runs.</li>
 *   <li>anything else or nothing: logged, and treated as continue (iii).</li>
 *   <li>a failure: 500 with its code and an {@code error_id}; no answer within the call timeout:
 *       504 {@code MIDDLEWARE_TIMEOUT}.</li>
 * </ul>
 */
final class MiddlewareChain {

  private static final Logger LOG = Logger.getLogger(MiddlewareChain.class.getName());

  private final FunctionBus functions;

  MiddlewareChain(FunctionBus functions) {
    this.functions = functions;
  }

  /**
   * Runs {@code ids} in order; completes with {@code null} when all continued, or with the
   * response that ends the request.
   *
   * @param input builds a middleware's input from the current context
   * @param context the request's context, updated in place by continuing middleware
   */
  Future<ApiResponse> run(List<String> ids, Function<JsonObject, JsonObject> input, JsonObject context) {
    return run(ids, 0, input, context);
  }

  private Future<ApiResponse> run(List<String> ids, int index, Function<JsonObject, JsonObject> input,
                                  JsonObject context) {
    if (index == ids.size()) {
      return Future.succeededFuture();
    }
    String id = ids.get(index);
    return functions.call(id, input.apply(context)).transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture(ErrorEnvelope.failure("middleware", id, ar.cause(), RouteErrorCode.MIDDLEWARE_TIMEOUT));
      }
      Object value = ar.result().value();
      if (value instanceof JsonObject answer && "respond".equals(answer.getValue("action"))) {
        Object response = answer.getValue("response");
        try {
          return Future.succeededFuture(ApiResponse.from(response == null ? new JsonObject() : response));
        } catch (ApiResponse.Invalid e) {
          return Future.succeededFuture(ErrorEnvelope.response(RouteErrorCode.INVALID_RESPONSE,
              "middleware " + id + " responded with an invalid response: " + e.getMessage()));
        }
      }
      if (value instanceof JsonObject answer && "continue".equals(answer.getValue("action"))) {
        if (answer.getValue("context") instanceof JsonObject more) {
          context.mergeIn(more);
        }
      } else {
        LOG.warning("middleware " + id + " answered " + (ar.result().present() ? String.valueOf(value) : "nothing")
            + ", not {action: continue|respond}; treated as continue");
      }
      return run(ids, index + 1, input, context);
    });
  }
}
