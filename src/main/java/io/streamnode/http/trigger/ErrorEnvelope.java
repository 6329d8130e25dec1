package io.streamnode.http.trigger;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * iii's error envelope, {@code {"error": {"code", "message", "error_id"?}}}, for errors the node
 * raises on {@code http}-trigger routes. A 5xx carries an {@code error_id} that is also in the
 * node's log line, so a user can find one from the other; timeouts have none, as in iii.
 */
final class ErrorEnvelope {

  private static final Logger LOG = Logger.getLogger(ErrorEnvelope.class.getName());
  private static final List<Map.Entry<String, String>> JSON = List.of(Map.entry("content-type", "application/json"));

  private ErrorEnvelope() {
  }

  /** The envelope's JSON; {@code errorId} may be {@code null}. */
  static JsonObject body(String code, String message, String errorId) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (errorId != null) {
      error.put("error_id", errorId);
    }
    return new JsonObject().put("error", error);
  }

  /** A fresh id for a 5xx: 12 hex digits, as iii's. */
  static String newErrorId() {
    return String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL);
  }

  /** The response of a node error, with its default message. */
  static ApiResponse response(RouteErrorCode code) {
    return response(code, code.message());
  }

  /** The response of a node error; a 5xx gets an {@code error_id} and is logged with it. */
  static ApiResponse response(RouteErrorCode code, String message) {
    String errorId = null;
    if (code.status() >= 500 && code != RouteErrorCode.TIMEOUT && code != RouteErrorCode.MIDDLEWARE_TIMEOUT
        && code != RouteErrorCode.SERVICE_UNAVAILABLE) {
      errorId = newErrorId();
      LOG.warning("http route error " + errorId + ": " + code.name() + ": " + message);
    }
    return new ApiResponse(code.status(), JSON, body(code.name(), message, errorId));
  }

  /**
   * The response when {@code what} (a handler, condition or middleware) failed: a timeout is
   * {@code timeoutCode} (504, no id, as iii), any other failure a 500 with the function's own
   * code and message and an {@code error_id}, logged with it.
   */
  static ApiResponse failure(String what, String functionId, Throwable cause, RouteErrorCode timeoutCode) {
    FunctionException e = FunctionBus.asFunctionException(cause);
    if (ErrorCode.TIMEOUT.code().equals(e.code())) {
      LOG.warning("http route: " + what + " " + functionId + " timed out");
      return new ApiResponse(timeoutCode.status(), JSON, body(timeoutCode.name(), timeoutCode.message(), null));
    }
    String errorId = newErrorId();
    LOG.warning("http route error " + errorId + ": " + what + " " + functionId + " failed: " + e.code() + ": "
        + e.getMessage());
    return new ApiResponse(500, JSON, body(e.code(), e.getMessage(), errorId));
  }

  /** Answers {@code status} with {@code body} as JSON, unless the response was already sent. */
  static void send(HttpServerResponse response, int status, JsonObject body) {
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
    }
  }

  /** Answers a node error with its default message. */
  static void send(HttpServerResponse response, RouteErrorCode code) {
    send(response, code.status(), body(code.name(), code.message(), null));
  }
}
