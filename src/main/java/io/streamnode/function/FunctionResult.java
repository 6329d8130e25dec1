package io.streamnode.function;

/**
 * What a function returned: a JSON value (possibly {@code null}), or no result at all.
 * iii tells the two apart on the wire: "no result" omits the {@code result} key
 * ({@code stream::get} of a missing item), a {@code null} result sends {@code "result":null}
 * ({@code stream::send}).
 *
 * @param present whether there is a result
 * @param value the result, a Vert.x JSON value; {@code null} when absent
 */
public record FunctionResult(boolean present, Object value) {

  /** No result. */
  public static final FunctionResult NONE = new FunctionResult(false, null);

  /** A result of JSON {@code null}. */
  public static final FunctionResult NULL = new FunctionResult(true, null);

  /** A present result. */
  public static FunctionResult of(Object value) {
    return value == null ? NULL : new FunctionResult(true, value);
  }
}
