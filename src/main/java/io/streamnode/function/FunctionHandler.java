package io.streamnode.function;

import io.vertx.core.Future;

/**
 * The body of a function: takes the JSON input, completes with a result or fails
 * (a {@link FunctionException} keeps its code; any other failure becomes {@code invocation_failed}).
 */
@FunctionalInterface
public interface FunctionHandler {

  /**
   * @param input a Vert.x JSON value (usually a {@code JsonObject})
   * @return the result
   */
  Future<FunctionResult> handle(Object input);
}
