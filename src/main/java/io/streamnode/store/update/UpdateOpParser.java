package io.streamnode.store.update;

import io.streamnode.store.StreamStorage;

import io.streamnode.function.FunctionException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code "ops"} JSON value into {@link UpdateOps.Op}s the way iii's serde derive of
 * {@code Vec<UpdateOp>} ({@code #[serde(tag = "type", rename_all = "lowercase")]}) does, with
 * serde_json's error texts: the first bad op fails the whole parse.
 *
 * <p>Shapes accepted, as serde accepts them: an op is a map with a {@code type} tag (unknown keys
 * ignored), or a sequence whose first element is the tag and whose remaining elements are the
 * variant's fields in declaration order.
 */
public final class UpdateOpParser {

  private static final String FN = "stream::update";
  private static final List<String> VARIANTS =
      List.of("set", "merge", "increment", "decrement", "append", "remove");
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Thrown inside the parser; turned into a FunctionException at the top. */
  private static final class Bad extends RuntimeException {
    Bad(String message) {
      super(message, null, false, false);
    }
  }

  private UpdateOpParser() {
  }

  static List<UpdateOps.Op> parseOps(Object opsJson) {
    try {
      if (opsJson == StreamStorage.ABSENT) {
        throw missingField("ops");
      }
      Object ops = normalize(opsJson);
      if (!(ops instanceof JsonArray array)) {
        throw invalidType(ops, "a sequence");
      }
      List<UpdateOps.Op> out = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        out.add(parseOp(array.getValue(i)));
      }
      return out;
    } catch (Bad e) {
      throw FunctionException.badInput(FN, e.getMessage());
    }
  }

  private static UpdateOps.Op parseOp(Object raw) {
    Object op = normalize(raw);
    if (op instanceof JsonObject obj) {
      if (!obj.containsKey("type")) {
        throw missingField("type");
      }
      String variant = variant(obj.getValue("type"));
      JsonObject fields = obj.copy();
      fields.remove("type");
      return fromMap(variant, fields);
    }
    if (op instanceof JsonArray arr) {
      if (arr.isEmpty()) {
        throw missingField("type");
      }
      String variant = variant(arr.getValue(0));
      return fromSeq(variant, new JsonArray(new ArrayList<>(arr.getList().subList(1, arr.size()))));
    }
    throw invalidType(op, "internally tagged enum UpdateOp");
  }

  private static String variant(Object tag) {
    Object t = normalize(tag);
    if (!(t instanceof String name)) {
      throw invalidType(t, "variant identifier");
    }
    if (!VARIANTS.contains(name)) {
      StringBuilder msg = new StringBuilder("unknown variant `").append(name)
          .append("`, expected one of ");
      for (int i = 0; i < VARIANTS.size(); i++) {
        msg.append(i == 0 ? "" : ", ").append('`').append(VARIANTS.get(i)).append('`');
      }
      throw new Bad(msg.toString());
    }
    return name;
  }

  /** The field names of each variant in declaration order. */
  private static List<String> fieldsOf(String variant) {
    return switch (variant) {
      case "set", "merge", "append" -> List.of("path", "value");
      case "increment", "decrement" -> List.of("path", "by");
      default -> List.of("path");
    };
  }

  /** Map form: known fields typed in the order they appear, then missing ones in field order. */
  private static UpdateOps.Op fromMap(String variant, JsonObject map) {
    List<String> names = fieldsOf(variant);
    Object[] values = new Object[names.size()];
    boolean[] seen = new boolean[names.size()];
    for (String key : map.fieldNames()) {
      int idx = names.indexOf(key);
      if (idx >= 0) {
        values[idx] = field(variant, key, normalize(map.getValue(key)));
        seen[idx] = true;
      }
    }
    for (int i = 0; i < names.size(); i++) {
      if (!seen[i]) {
        values[i] = missing(variant, names.get(i));
      }
    }
    return build(variant, values);
  }

  /** Sequence form: fields by position; too few or too many elements is an invalid length. */
  private static UpdateOps.Op fromSeq(String variant, JsonArray seq) {
    List<String> names = fieldsOf(variant);
    Object[] values = new Object[names.size()];
    int i = 0;
    for (; i < names.size(); i++) {
      if (i >= seq.size()) {
        if (isDefaulted(variant, names.get(i))) {
          values[i] = missing(variant, names.get(i));
          continue;
        }
        String title = Character.toUpperCase(variant.charAt(0)) + variant.substring(1);
        throw new Bad("invalid length " + i + ", expected struct variant UpdateOp::" + title
            + " with " + names.size() + (names.size() == 1 ? " element" : " elements"));
      }
      values[i] = field(variant, names.get(i), normalize(seq.getValue(i)));
    }
    if (seq.size() > names.size()) {
      throw new Bad("invalid length " + seq.size() + ", expected " + names.size()
          + (names.size() == 1 ? " element" : " elements") + " in sequence");
    }
    return build(variant, values);
  }

  private static boolean isDefaulted(String variant, String field) {
    return field.equals("path") && (variant.equals("merge") || variant.equals("append"));
  }

  /** The value a missing field takes, or the serde error for a required one. */
  private static Object missing(String variant, String field) {
    if (isDefaulted(variant, field)) {
      return null; // Option<MergePath>: absent = None = root
    }
    if (variant.equals("set") && field.equals("value")) {
      return null; // Option<Value>: absent = None = null
    }
    throw missingField(field);
  }

  private static Object field(String variant, String field, Object v) {
    switch (field) {
      case "path":
        if (isDefaulted(variant, field)) {
          mergePath(v); // validated here, in field order; the segments are taken in build()
          return v instanceof JsonArray arr ? List.copyOf(castSegments(arr.getList())) : v;
        }
        if (v instanceof String s) {
          return s;
        }
        throw invalidType(v, "a string");
      case "by":
        return i64(v);
      default: // value: any JSON (Option<Value> for set: null = None)
        return UpdateOps.copy(v);
    }
  }

  /** {@code Option<MergePath>}: null/"" /[] = root, "a" = one segment, [..strings] = segments. */
  private static List<String> mergePath(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> written) { // as kept by field(): validated already
      return castSegments(written);
    }
    if (v instanceof String s) {
      return s.isEmpty() ? List.of() : List.of(s);
    }
    if (v instanceof JsonArray arr) {
      List<String> segments = new ArrayList<>(arr.size());
      for (int i = 0; i < arr.size(); i++) {
        if (!(arr.getValue(i) instanceof String s)) {
          throw new Bad("data did not match any variant of untagged enum MergePath");
        }
        segments.add(s);
      }
      return List.copyOf(segments);
    }
    throw new Bad("data did not match any variant of untagged enum MergePath");
  }

  private static long i64(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b && b.signum() >= 0 && b.compareTo(U64_MAX) <= 0) {
      // serde_json reads it as u64; i64's visitor rejects it as out of range
      throw new Bad("invalid value: integer `" + b + "`, expected i64");
    }
    throw invalidType(v, "i64");
  }

  private static Object normalize(Object v) {
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      return UpdateOps.copy(v);
    }
    return v;
  }

  private static Bad missingField(String name) {
    return new Bad("missing field `" + name + "`");
  }

  private static Bad invalidType(Object v, String expected) {
    return new Bad("invalid type: " + unexpected(v) + ", expected " + expected);
  }

  /** serde_json's rendering of an unexpected JSON value. */
  public static String unexpected(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Boolean b) {
      return "boolean `" + b + "`";
    } else if (v instanceof String s) {
      return "string " + UpdateOps.rustDebug(s);
    } else if (v instanceof JsonArray || v instanceof List) {
      return "sequence";
    } else if (v instanceof JsonObject || v instanceof Map) {
      return "map";
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return "integer `" + v + "`";
    } else if (v instanceof BigInteger b) {
      if (b.signum() >= 0 && b.compareTo(U64_MAX) <= 0) {
        return "integer `" + b + "`";
      }
      return "floating point `" + ryu(b.doubleValue()) + "`";
    } else if (v instanceof Number n) {
      return "floating point `" + ryu(n.doubleValue()) + "`";
    }
    return "string " + UpdateOps.rustDebug(String.valueOf(v));
  }

  /** Formats a finite double the way the ryu crate (used by serde_json) does. */
  static String ryu(double d) {
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    String sign = d < 0 ? "-" : "";
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int n = digits.length();
    int k = -bd.scale();
    int kk = n + k;
    StringBuilder out = new StringBuilder(sign);
    if (k >= 0 && kk <= 16) {
      out.append(digits).append("0".repeat(k)).append(".0");
    } else if (kk > 0 && kk <= 16) {
      out.append(digits, 0, kk).append('.').append(digits, kk, n);
    } else if (kk > -5 && kk <= 0) {
      out.append("0.").append("0".repeat(-kk)).append(digits);
    } else if (n == 1) {
      out.append(digits).append('e').append(kk - 1);
    } else {
      out.append(digits, 0, 1).append('.').append(digits, 1, n).append('e').append(kk - 1);
    }
    return out.toString();
  }

  private static UpdateOps.Op build(String variant, Object[] v) {
    return switch (variant) {
      case "set" -> new UpdateOps.Set((String) v[0], v[1]);
      case "merge" -> new UpdateOps.Merge(mergePath(v[0]), v[0], v[1]);
      case "increment" -> new UpdateOps.Increment((String) v[0], (Long) v[1]);
      case "decrement" -> new UpdateOps.Decrement((String) v[0], (Long) v[1]);
      case "append" -> new UpdateOps.Append(mergePath(v[0]), v[0], v[1]);
      default -> new UpdateOps.Remove((String) v[0]);
    };
  }

  @SuppressWarnings("unchecked")
  private static List<String> castSegments(Object v) {
    return (List<String>) v;
  }
}
