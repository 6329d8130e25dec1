package io.streamnode.store;

import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of a {@code stream::*} input the way iii's serde structs do: unknown keys are
 * ignored, a missing or mistyped field fails the whole call with {@code deserialization_error}
 * and a serde-like reason ({@code missing field `item_id`}, {@code invalid type: ...}).
 */
final class StreamInput {

  private final String functionId;
  private final JsonObject json;
  private final int maxNameBytes;

  private StreamInput(String functionId, JsonObject json, int maxNameBytes) {
    this.functionId = functionId;
    this.json = json;
    this.maxNameBytes = maxNameBytes;
  }

  /** The input must be a JSON object. */
  static StreamInput of(String functionId, Object input, int maxNameBytes) {
    if (input instanceof JsonObject obj) {
      return new StreamInput(functionId, obj, maxNameBytes);
    }
    throw FunctionException.badInput(functionId, "invalid type: " + describe(input) + ", expected a map");
  }

  /** A required string field. */
  String string(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      if (json.containsKey(key)) {
        throw FunctionException.badInput(functionId, "invalid type: null, expected a string");
      }
      throw FunctionException.badInput(functionId, "missing field `" + key + "`");
    }
    if (!(v instanceof String s)) {
      throw FunctionException.badInput(functionId, "invalid type: " + describe(v) + ", expected a string");
    }
    return s;
  }

  /** A required name field (stream, group, item), also checked against the name limit. */
  String name(String key) {
    String s = string(key);
    if (s.length() * 3 > maxNameBytes && s.getBytes(StandardCharsets.UTF_8).length > maxNameBytes) {
      throw new FunctionException(ErrorCode.INVALID_NAME,
          "`" + key + "` is longer than " + maxNameBytes + " bytes (limits.max_name_bytes)");
    }
    return s;
  }

  /** An optional string field: absent or null gives {@code null}. */
  String optionalName(String key) {
    return json.getValue(key) == null ? null : name(key);
  }

  /** A field that must be present but may hold any JSON value, {@code null} included. */
  Object anyValue(String key) {
    if (!json.containsKey(key)) {
      throw FunctionException.badInput(functionId, "missing field `" + key + "`");
    }
    return json.getValue(key);
  }

  /** serde's words for the type of an unexpected value. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "string \"" + s + "\"";
    }
    if (v instanceof Boolean b) {
      return "boolean `" + b + "`";
    }
    if (v instanceof Double || v instanceof Float) {
      return "floating point `" + v + "`";
    }
    if (v instanceof Number n) {
      return "integer `" + n + "`";
    }
    if (v instanceof JsonArray) {
      return "sequence";
    }
    if (v instanceof JsonObject) {
      return "map";
    }
    return v.getClass().getSimpleName();
  }
}
