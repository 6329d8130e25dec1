package io.streamnode.function;

import io.vertx.core.json.JsonObject;

/**
 * A function call that failed with a wire error: {@code {"code":..,"message":..}}.
 * The connection or caller that caused it lives on; only this call failed.
 */
public class FunctionException extends RuntimeException {

  private final String code;
  private final int status;

  public FunctionException(ErrorCode code, String message) {
    this(code.code(), message, code.httpStatus());
  }

  public FunctionException(String code, String message, int status) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** The wire code, e.g. {@code deserialization_error}. */
  public String code() {
    return code;
  }

  /** The HTTP status that fits this error. */
  public int status() {
    return status;
  }

  /** The wire error object {@code {"code":..,"message":..}}. */
  public JsonObject toJson() {
    return new JsonObject().put("code", code).put("message", getMessage());
  }

  /** A deserialization error in iii's words: {@code Failed to deserialize input for <fn>: <why>}. */
  public static FunctionException badInput(String functionId, String why) {
    return new FunctionException(ErrorCode.DESERIALIZATION_ERROR,
        "Failed to deserialize input for " + functionId + ": " + why);
  }
}
