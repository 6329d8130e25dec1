package io.streamnode.store.custom;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.update.UpdateOpParser;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads what a custom implementation answered for {@code set}, {@code delete} or {@code update}
 * the way iii's serde derive reads it into {@code StreamSetResult}, {@code StreamDeleteResult}
 * or {@code StreamUpdateResult}, with serde_json's error texts (iii then fails the call with
 * {@code JSON_ERROR}, "Failed to convert result to value: &lt;text&gt;").
 *
 * <p>As serde accepts them: a map (unknown keys ignored; iii's maps iterate in key order, so of
 * two bad fields the first in key order is reported; a missing {@code Option} field is
 * {@code None}), or a sequence holding the fields in declaration order.
 */
public final class CustomResultParser {

  /** A result that does not have the expected shape; the message is serde_json's. */
  static final class BadShape extends RuntimeException {
    BadShape(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A write's outcome as the custom implementation reported it.
   *
   * @param old the previous value, {@link StreamStorage#ABSENT} for {@code None} (absent or null)
   * @param newValue the value after the write (unused for a delete)
   * @param errors the update's per-op errors, normalized; empty when none
   */
  public record Change(Object old, Object newValue, JsonArray errors) {
  }

  private enum Kind { OPTIONAL_VALUE, VALUE, OP_ERRORS, USIZE, STRING, OPTIONAL_STRING }

  /** A struct field: its name, what it holds, and whether {@code #[serde(default)]} fills it in when absent. */
  private record Field(String name, Kind kind, boolean defaulted) {
  }

  private static final List<Field> SET_RESULT = List.of(
      new Field("old_value", Kind.OPTIONAL_VALUE, false), new Field("new_value", Kind.VALUE, false));
  private static final List<Field> DELETE_RESULT = List.of(new Field("old_value", Kind.OPTIONAL_VALUE, false));
  private static final List<Field> UPDATE_RESULT = List.of(
      new Field("old_value", Kind.OPTIONAL_VALUE, false), new Field("new_value", Kind.VALUE, false),
      new Field("errors", Kind.OP_ERRORS, true));
  private static final List<Field> UPDATE_OP_ERROR = List.of(
      new Field("op_index", Kind.USIZE, false), new Field("code", Kind.STRING, false),
      new Field("message", Kind.STRING, false), new Field("doc_url", Kind.OPTIONAL_STRING, true));
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private CustomResultParser() {
  }

  /** {@code StreamSetResult {old_value: Option<Value>, new_value: Value}}. */
  static Change setResult(Object result) {
    Object[] v = struct(result, "StreamSetResult", SET_RESULT);
    return new Change(v[0], v[1], new JsonArray());
  }

  /** {@code StreamDeleteResult {old_value: Option<Value>}}; the change's {@code newValue} is unused. */
  static Change deleteResult(Object result) {
    Object[] v = struct(result, "StreamDeleteResult", DELETE_RESULT);
    return new Change(v[0], null, new JsonArray());
  }

  /** {@code StreamUpdateResult {old_value: Option<Value>, new_value: Value, #[serde(default)] errors: Vec<UpdateOpError>}}. */
  static Change updateResult(Object result) {
    Object[] v = struct(result, "StreamUpdateResult", UPDATE_RESULT);
    return new Change(v[0], v[1], (JsonArray) v[2]);
  }

  private static Object[] struct(Object raw, String name, List<Field> fields) {
    Object value = json(raw);
    Object[] out = new Object[fields.size()];
    if (value instanceof JsonObject map) {
      boolean[] seen = new boolean[fields.size()];
      List<Field> inKeyOrder = new ArrayList<>(fields);
      inKeyOrder.sort(Comparator.comparing(Field::name));
      for (Field f : inKeyOrder) {
        if (map.containsKey(f.name())) {
          int i = fields.indexOf(f);
          out[i] = read(f.kind(), map.getValue(f.name()));
          seen[i] = true;
        }
      }
      for (int i = 0; i < fields.size(); i++) {
        if (!seen[i]) {
          out[i] = absent(fields.get(i));
        }
      }
      return out;
    }
    if (value instanceof JsonArray seq) {
      for (int i = 0; i < fields.size(); i++) {
        if (i < seq.size()) {
          out[i] = read(fields.get(i).kind(), seq.getValue(i));
        } else if (fields.get(i).defaulted()) {
          out[i] = defaultOf(fields.get(i).kind());
        } else {
          throw new BadShape("invalid length " + i + ", expected struct " + name + " with " + fields.size()
              + (fields.size() == 1 ? " element" : " elements"));
        }
      }
      if (seq.size() > fields.size()) {
        throw new BadShape("invalid length " + seq.size() + ", expected fewer elements in array");
      }
      return out;
    }
    throw invalidType(value, "struct " + name);
  }

  /** A field missing from a map: {@code #[serde(default)]} and {@code Option} fields have a value, others fail. */
  private static Object absent(Field field) {
    if (field.defaulted() || field.kind() == Kind.OPTIONAL_VALUE || field.kind() == Kind.OPTIONAL_STRING) {
      return defaultOf(field.kind());
    }
    throw new BadShape("missing field `" + field.name() + "`");
  }

  private static Object defaultOf(Kind kind) {
    return switch (kind) {
      case OPTIONAL_VALUE -> StreamStorage.ABSENT;
      case OP_ERRORS -> new JsonArray();
      default -> null;
    };
  }

  private static Object read(Kind kind, Object v) {
    switch (kind) {
      case OPTIONAL_VALUE:
        return v == null ? StreamStorage.ABSENT : v;
      case VALUE:
        return v;
      case STRING:
        if (v instanceof String) {
          return v;
        }
        throw invalidType(v, "a string");
      case OPTIONAL_STRING:
        if (v == null || v instanceof String) {
          return v;
        }
        throw invalidType(v, "a string");
      case USIZE:
        return usize(v);
      default:
        return opErrors(v);
    }
  }

  /** {@code Vec<UpdateOpError>}, normalized to iii's output: {@code doc_url} left out when {@code None}. */
  private static JsonArray opErrors(Object v) {
    if (!(v instanceof JsonArray seq)) {
      throw invalidType(v, "a sequence");
    }
    JsonArray out = new JsonArray(new ArrayList<>(seq.size()));
    for (int i = 0; i < seq.size(); i++) {
      Object[] e = struct(seq.getValue(i), "UpdateOpError", UPDATE_OP_ERROR);
      JsonObject error = new JsonObject().put("op_index", e[0]).put("code", e[1]).put("message", e[2]);
      if (e[3] != null) {
        error.put("doc_url", e[3]);
      }
      out.add(error);
    }
    return out;
  }

  private static Number usize(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      long n = ((Number) v).longValue();
      if (n < 0) {
        throw new BadShape("invalid value: integer `" + n + "`, expected usize");
      }
      return n;
    }
    if (v instanceof BigInteger b && b.signum() >= 0 && b.compareTo(U64_MAX) <= 0) {
      return b;
    }
    throw invalidType(v, "usize");
  }

  private static BadShape invalidType(Object v, String expected) {
    return new BadShape("invalid type: " + UpdateOpParser.unexpected(v) + ", expected " + expected);
  }

  /** A raw map or list (a Java API function may answer with one) as Vert.x JSON; nested ones are wrapped on access. */
  @SuppressWarnings("unchecked")
  private static Object json(Object v) {
    if (v instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (v instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    return v;
  }
}
