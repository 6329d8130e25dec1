package io.streamnode.http.trigger;

/**
 * The codes of the errors the node itself answers on {@code http}-trigger routes, in iii's
 * HTTP worker's upper-case words where iii has one. A handler's or middleware's own failure
 * carries that function's code instead. Kept apart from the function API's
 * {@link io.streamnode.function.ErrorCode}: these are another surface with iii-http's envelope.
 */
public enum RouteErrorCode {
  /** No route has this path (iii). */
  NOT_FOUND(404, "Not Found"),
  /** A route has this path, but not for this method (iii's router answers 405 too). */
  METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
  /** The route's condition answered {@code false} (iii); the body also has {@code "skipped": true}. */
  CONDITION_NOT_MET(422, "Request condition not met"),
  /** The request declared JSON and its body is not JSON; the handler is not called. */
  INVALID_JSON(400, "Request body is not valid JSON"),
  /** The body is larger than {@code limits.max_body_bytes}. */
  PAYLOAD_TOO_LARGE(413, "Request body too large"),
  /** The handler answered something that is not a response object. */
  INVALID_RESPONSE(500, "Handler returned an invalid response"),
  /** A middleware did not answer within {@code limits.call_timeout_ms} (iii). */
  MIDDLEWARE_TIMEOUT(504, "Middleware timeout"),
  /** The handler or condition did not answer within {@code limits.call_timeout_ms}. */
  TIMEOUT(504, "Handler timeout"),
  /** More requests in flight than {@code http_api.concurrency_limit}. */
  SERVICE_UNAVAILABLE(503, "Too many requests in flight"),
  /** Anything unexpected inside the node (iii). */
  INTERNAL_ERROR(500, "internal server error");

  private final int status;
  private final String message;

  RouteErrorCode(int status, String message) {
    this.status = status;
    this.message = message;
  }

  /** The HTTP status answered with this code. */
  public int status() {
    return status;
  }

  /** The default message for people. */
  public String message() {
    return message;
  }
}
