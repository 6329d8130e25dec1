package io.streamnode.function;

/**
 * The machine-readable error codes streamnode puts on the wire, each with the HTTP status the
 * HTTP function API answers with. The string codes are the iii engine's where iii defines one.
 */
public enum ErrorCode {
  /** Input did not have the function's shape (missing or mistyped field, bad op). */
  DESERIALIZATION_ERROR("deserialization_error", 400),
  /** No function is registered under that id. */
  FUNCTION_NOT_FOUND("function_not_found", 404),
  /** The request or frame was not JSON. */
  INVALID_JSON("invalid_json", 400),
  /** A frame, body or value was larger than the configured limit. */
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  /** A name (stream, group, item) broke a configured limit. */
  INVALID_NAME("invalid_name", 400),
  /** The callee did not answer within the call timeout. */
  TIMEOUT("timeout", 504),
  /** The handler of a function failed. */
  INVOCATION_FAILED("invocation_failed", 500),
  /** The worker that owned the function went away while the call was in flight. */
  INVOCATION_STOPPED("invocation_stopped", 502),
  /** The storage adapter (e.g. Redis) is unreachable. */
  STORAGE_UNAVAILABLE("storage_unavailable", 503),
  STREAM_SET_ERROR("STREAM_SET_ERROR", 500),
  STREAM_GET_ERROR("STREAM_GET_ERROR", 500),
  STREAM_DELETE_ERROR("STREAM_DELETE_ERROR", 500),
  STREAM_UPDATE_ERROR("STREAM_UPDATE_ERROR", 500),
  STREAM_GET_GROUP_ERROR("STREAM_GET_GROUP_ERROR", 500),
  STREAM_LIST_GROUPS_ERROR("STREAM_LIST_GROUPS_ERROR", 500),
  STREAM_LIST_ALL_ERROR("STREAM_LIST_ALL_ERROR", 500),
  STREAM_SEND_ERROR("STREAM_SEND_ERROR", 500),
  /** A custom stream implementation answered with a result that is not the function's output shape. */
  JSON_ERROR("JSON_ERROR", 500),
  /** The pub/sub topic was empty. */
  TOPIC_NOT_SET("topic_not_set", 400),
  /** A token was required and missing or wrong (HTTP API, worker socket upgrade). */
  UNAUTHORIZED("unauthorized", 401),
  /**
   * A worker on the public worker socket called a function its grants do not allow
   * ({@code rbac.expose_functions}, the auth result's lists); iii's code, upper-case as iii sends it.
   */
  FORBIDDEN("FORBIDDEN", 403),
  /**
   * The public worker socket's auth function failed, timed out, answered no result or a result of
   * the wrong shape: the connection is refused (iii's code, sent in an {@code error} frame).
   */
  AUTH_ERROR("AUTH_ERROR", 401),
  /** The request came from a web page whose origin is not allowed. */
  FORBIDDEN_ORIGIN("forbidden_origin", 403),
  /** The HTTP API takes only {@code Content-Type: application/json} bodies. */
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
  /** The node or the caller's address holds as many connections as its limits allow. */
  TOO_MANY_CONNECTIONS("too_many_connections", 503),
  /** Anything unexpected inside the node. */
  INTERNAL_ERROR("internal_error", 500);

  private final String code;
  private final int httpStatus;

  ErrorCode(String code, int httpStatus) {
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears on the wire. */
  public String code() {
    return code;
  }

  /** The HTTP status the HTTP function API uses for this code. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Finds the enum constant for a wire code, or {@code null}. */
  public static ErrorCode of(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    return null;
  }
}
