package io.streamnode.store.custom;

import io.streamnode.store.update.UpdateOps;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.store.custom.CustomImplementations.Op;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Calls of custom stream implementations, answered the way iii's built-in functions answer after
 * delegating ({@code engine/src/workers/stream/stream.rs}):
 * <ul>
 *   <li>{@code get}, {@code list}, {@code list_groups}: whatever the function answered, its
 *       errors included;</li>
 *   <li>{@code set}, {@code delete}, {@code update}: the answer read as the function's output
 *       shape ({@link CustomResultParser}); a shape that does not fit is {@code JSON_ERROR}, no
 *       answer or a failed call is the function's usual error ({@code STREAM_SET_ERROR}, ...)
 *       with iii's message.</li>
 * </ul>
 * Each call completes with {@code null} when nothing serves the id any more (a registration
 * that has just gone away): the store then uses the adapter, as iii does without a custom
 * implementation.
 */
public final class CustomCalls {

  private final FunctionBus functions;

  public CustomCalls(FunctionBus functions) {
    this.functions = functions;
  }

  /** {@code get}, {@code list} or {@code list_groups}: the custom implementation's answer, as it is. */
  public Future<FunctionResult> read(Op op, String stream, JsonObject input) {
    return functions.callIfServed(op.functionId(stream), input);
  }

  /** {@code set}, {@code delete} or {@code update}: the change the custom implementation reports. */
  public Future<CustomResultParser.Change> write(Op op, String stream, JsonObject input) {
    return functions.callIfServed(op.functionId(stream), input).transform(ar -> {
      if (ar.failed()) {
        FunctionException error = FunctionBus.asFunctionException(ar.cause());
        return Future.failedFuture(writeError(op, "Failed to invoke function: " + errorBody(error)));
      }
      FunctionResult result = ar.result();
      if (result == null) {
        return Future.succeededFuture(null);
      }
      // iii reads a result as Option<Value>: a JSON null is no result too.
      if (!result.present() || result.value() == null) {
        return Future.failedFuture(writeError(op, "Function returned no result"));
      }
      try {
        return Future.succeededFuture(switch (op) {
          case SET -> CustomResultParser.setResult(result.value());
          case DELETE -> CustomResultParser.deleteResult(result.value());
          default -> CustomResultParser.updateResult(result.value());
        });
      } catch (CustomResultParser.BadShape e) {
        return Future.failedFuture(new FunctionException(ErrorCode.JSON_ERROR,
            "Failed to convert result to value: " + e.getMessage()));
      }
    });
  }

  private static FunctionException writeError(Op op, String why) {
    return switch (op) {
      case SET -> new FunctionException(ErrorCode.STREAM_SET_ERROR, "Failed to set value: " + why);
      case DELETE -> new FunctionException(ErrorCode.STREAM_DELETE_ERROR, "Failed to delete value: " + why);
      default -> new FunctionException(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value: " + why);
    };
  }

  /** The error as iii formats its {@code ErrorBody} with {@code {:?}} (streamnode keeps no stack trace). */
  private static String errorBody(FunctionException error) {
    return "ErrorBody { code: " + UpdateOps.rustDebug(error.code()) + ", message: "
        + UpdateOps.rustDebug(String.valueOf(error.getMessage())) + ", stacktrace: None }";
  }
}
