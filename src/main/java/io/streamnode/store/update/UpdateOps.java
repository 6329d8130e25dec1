package io.streamnode.store.update;

import io.streamnode.store.StreamStorage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code stream::update} op engine, matching iii's {@code engine/src/update_ops.rs}
 * ({@code apply_update_ops}) op for op, error code for error code and message for message.
 *
 * <p>{@link #parse} turns the {@code "ops"} input value into ops (a bad op fails the whole call
 * with a serde-like deserialization reason, see {@link UpdateOpParser}); {@link #apply} runs them
 * in order against a copy of the current value. Per-op problems never fail the call: the op is
 * skipped, an error entry is collected and later ops still run.
 *
 * <p>Paths: a string path is ONE literal top-level key (dots are not separators). Only
 * {@code merge} and {@code append} accept an array of segments for nested addressing.
 */
public final class UpdateOps {

  static final int MAX_PATH_DEPTH = 32;
  static final int MAX_SEGMENT_BYTES = 256;
  static final int MAX_VALUE_DEPTH = 16;
  static final int MAX_VALUE_KEYS = 1024;
  /** In byte order, so the first hit matches iii's sorted (BTreeMap) key iteration. */
  static final List<String> PROTO_POLLUTION_KEYS = List.of("__proto__", "constructor", "prototype");
  static final String DOC_URL = "https://iii.dev/docs/workers/iii-state#error-codes";

  private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** One parsed op. {@code segments} is null for the string-path ops. */
  sealed interface Op permits Set, Merge, Increment, Decrement, Append, Remove {}

  /** {@code value} null means JSON null (absent and null are the same to iii). */
  record Set(String path, Object value) implements Op {}

  /**
   * {@code segments} empty = root merge. {@code path} is the path as written, for
   * {@link #toJson()}: {@code null} (absent), a string, or the list of segments.
   */
  record Merge(List<String> segments, Object path, Object value) implements Op {}

  record Increment(String path, long by) implements Op {}

  record Decrement(String path, long by) implements Op {}

  /** {@code segments} empty = root append; {@code path} as in {@link Merge}. */
  record Append(List<String> segments, Object path, Object value) implements Op {}

  record Remove(String path) implements Op {}

  /** The result of {@link #apply}: the new value and the per-op errors (empty when none). */
  public record Outcome(Object newValue, JsonArray errors) {}

  private final List<Op> ops;

  UpdateOps(List<Op> ops) {
    this.ops = List.copyOf(ops);
  }

  /**
   * Parses the "ops" input value. A bad op (not an array, unknown type, missing path/by,
   * non-integer by, ...) throws
   * {@code FunctionException.badInput("stream::update", "<serde-like reason>")} and nothing is
   * applied.
   */
  public static UpdateOps parse(Object opsJson) {
    return new UpdateOps(UpdateOpParser.parseOps(opsJson));
  }

  /** The number of ops. */
  public int size() {
    return ops.size();
  }

  /**
   * The ops as iii re-serializes its parsed {@code Vec<UpdateOp>} when it hands them to a custom
   * implementation: the {@code type} tag first, then the variant's fields in declaration order;
   * unknown keys dropped, a {@code set} without {@code value} given {@code "value":null}, an
   * absent or null {@code merge}/{@code append} path omitted.
   */
  public JsonArray toJson() {
    JsonArray out = new JsonArray(new java.util.ArrayList<>(ops.size()));
    for (Op op : ops) {
      JsonObject json;
      if (op instanceof Set o) {
        json = new JsonObject().put("type", "set").put("path", o.path()).put("value", copy(o.value()));
      } else if (op instanceof Merge o) {
        json = withPath(new JsonObject().put("type", "merge"), o.path()).put("value", copy(o.value()));
      } else if (op instanceof Increment o) {
        json = new JsonObject().put("type", "increment").put("path", o.path()).put("by", o.by());
      } else if (op instanceof Decrement o) {
        json = new JsonObject().put("type", "decrement").put("path", o.path()).put("by", o.by());
      } else if (op instanceof Append o) {
        json = withPath(new JsonObject().put("type", "append"), o.path()).put("value", copy(o.value()));
      } else {
        json = new JsonObject().put("type", "remove").put("path", ((Remove) op).path());
      }
      out.add(json);
    }
    return out;
  }

  private static JsonObject withPath(JsonObject op, Object path) {
    if (path instanceof List<?> segments) {
      return op.put("path", new JsonArray(new java.util.ArrayList<>(segments)));
    }
    return path == null ? op : op.put("path", path);
  }

  /**
   * Applies all ops in order to a copy of {@code current} ({@link StreamStorage#ABSENT} = item
   * missing, which starts from an empty object). Never mutates {@code current}.
   */
  public Outcome apply(Object current) {
    return new Run(current).run();
  }

  /** The state of one {@link #apply} call. */
  private final class Run {
    private Object cur;
    /** iii's {@code using_missing_default}: item was missing and no op has taken effect yet. */
    private boolean missingDefault;
    private final JsonArray errors = new JsonArray();
    private int index;

    Run(Object current) {
      if (current == StreamStorage.ABSENT) {
        missingDefault = true;
        cur = new JsonObject();
      } else {
        cur = copy(current);
      }
    }

    Outcome run() {
      for (index = 0; index < ops.size(); index++) {
        Op op = ops.get(index);
        if (op instanceof Set s) {
          set(s);
        } else if (op instanceof Merge m) {
          merge(m);
        } else if (op instanceof Increment i) {
          numeric("increment", i.path(), i.by(), false);
        } else if (op instanceof Decrement d) {
          numeric("decrement", d.path(), d.by(), true);
        } else if (op instanceof Append a) {
          append(a);
        } else {
          remove((Remove) op);
        }
      }
      return new Outcome(cur, errors);
    }

    private void error(String code, String message) {
      errors.add(new JsonObject()
          .put("op_index", index)
          .put("code", code)
          .put("message", message)
          .put("doc_url", DOC_URL));
    }

    private void set(Set op) {
      String path = op.path();
      if (!validatePath("set", fieldSegments(path))) {
        return;
      }
      if (path.isEmpty()) {
        cur = copy(op.value());
        missingDefault = false;
      } else if (cur instanceof JsonObject obj) {
        obj.put(path, copy(op.value()));
        missingDefault = false;
      } else {
        error("set.target_not_object", "Cannot set at path '" + label(path) + "': target is "
            + typeName(cur) + ", expected object.");
      }
    }

    private void merge(Merge op) {
      if (!validatePath("merge", op.segments()) || !validateMergeValue(op.value())) {
        return;
      }
      JsonObject value = (JsonObject) op.value();
      if (op.segments().isEmpty()) {
        if (cur instanceof JsonObject obj) {
          putAll(obj, value);
          missingDefault = false;
        }
        // else: iii only logs a warning; no error entry, value unchanged.
      } else {
        putAll(walkOrCreate(op.segments()), value);
        missingDefault = false;
      }
    }

    private void numeric(String name, String path, long by, boolean decrement) {
      if (!validatePath(name, fieldSegments(path))) {
        return;
      }
      if (path.isEmpty()) {
        if (missingDefault) {
          cur = decrement ? missingDecrement(by) : (Object) by;
        } else {
          Number updated = cur instanceof Number n ? addNumber(n, by, decrement) : null;
          if (updated == null) {
            error(name + ".not_number", "Expected number at path 'root', got " + typeName(cur) + ".");
            return;
          }
          cur = updated;
        }
        missingDefault = false;
      } else if (cur instanceof JsonObject obj) {
        if (obj.containsKey(path)) {
          Object existing = obj.getValue(path);
          Number updated = existing instanceof Number n ? addNumber(n, by, decrement) : null;
          if (updated == null) {
            error(name + ".not_number", "Expected number at path '" + path + "', got "
                + typeName(existing) + ".");
            return;
          }
          obj.put(path, updated);
        } else {
          obj.put(path, decrement ? missingDecrement(by) : (Object) by);
        }
        missingDefault = false;
      } else {
        error(name + ".target_not_object", "Cannot " + name + " at path '" + path
            + "': target is " + typeName(cur) + ", expected object.");
      }
    }

    private void append(Append op) {
      List<String> segments = op.segments();
      if (!validatePath("append", segments)) {
        return;
      }
      if (segments.isEmpty()) {
        if (missingDefault) {
          cur = null;
        }
        Object[] target = {cur};
        if (appendTo(target, op.value(), "root")) {
          cur = target[0];
          missingDefault = false;
        }
      } else if (!(cur instanceof JsonObject)) {
        error("append.target_not_object", "Cannot append at path '[" + String.join(", ", segments)
            + "]': target is " + typeName(cur) + ", expected object.");
      } else {
        String leaf = segments.get(segments.size() - 1);
        JsonObject parent = segments.size() == 1
            ? (JsonObject) cur
            : walkOrCreate(segments.subList(0, segments.size() - 1));
        if (parent.containsKey(leaf)) {
          Object[] target = {parent.getValue(leaf)};
          if (appendTo(target, op.value(), leaf)) {
            parent.put(leaf, target[0]);
          }
        } else if (segments.size() == 1) {
          parent.put(leaf, initialAppendValue(op.value()));
        } else {
          // Nested path, missing leaf: always an array, even for a string value.
          parent.put(leaf, new JsonArray().add(copy(op.value())));
        }
        // iii clears the missing-item flag here even when the append itself failed.
        missingDefault = false;
      }
    }

    /** iii's {@code append_to_target}; {@code target[0]} is replaced when it changes. */
    private boolean appendTo(Object[] target, Object value, String pathLabel) {
      Object t = target[0];
      if (t instanceof JsonArray arr) {
        arr.add(copy(value));
        return true;
      }
      if (t instanceof String s) {
        if (value instanceof String chunk) {
          target[0] = s + chunk;
          return true;
        }
        error("append.type_mismatch", "Expected string append value at path '" + label(pathLabel)
            + "', got " + typeName(value) + ".");
        return false;
      }
      if (t == null) {
        target[0] = initialAppendValue(value);
        return true;
      }
      error("append.type_mismatch", "Cannot append at path '" + label(pathLabel) + "': target is "
          + typeName(t) + ", expected array, string, null, or missing field.");
      return false;
    }

    private void remove(Remove op) {
      String path = op.path();
      if (!validatePath("remove", fieldSegments(path))) {
        return;
      }
      if (path.isEmpty()) {
        cur = null;
        missingDefault = false;
      } else if (cur instanceof JsonObject obj) {
        obj.remove(path);
        missingDefault = false;
      } else {
        error("remove.target_not_object", "Cannot remove at path '" + path + "': target is "
            + typeName(cur) + ", expected object.");
      }
    }

    /** Walks (creating or replacing non-object nodes with {}) and returns the target object. */
    private JsonObject walkOrCreate(List<String> segments) {
      if (!(cur instanceof JsonObject)) {
        cur = new JsonObject();
      }
      JsonObject node = (JsonObject) cur;
      for (String seg : segments) {
        Object next = node.getValue(seg);
        if (!(next instanceof JsonObject)) {
          next = new JsonObject();
          node.put(seg, next);
        }
        node = (JsonObject) next;
      }
      return node;
    }

    private boolean validatePath(String op, List<String> segments) {
      if (segments.size() > MAX_PATH_DEPTH) {
        error(op + ".path.too_deep", "Path depth " + segments.size() + " exceeds maximum of "
            + MAX_PATH_DEPTH);
        return false;
      }
      for (String seg : segments) {
        if (seg.isEmpty()) {
          error(op + ".path.empty_segment", "Path contains an empty segment");
          return false;
        }
        int bytes = seg.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SEGMENT_BYTES) {
          error(op + ".path.segment_too_long", "Path segment of " + bytes
              + " bytes exceeds maximum of " + MAX_SEGMENT_BYTES);
          return false;
        }
        if (PROTO_POLLUTION_KEYS.contains(seg)) {
          error(op + ".path.proto_polluted", "Path segment '" + seg
              + "' is not allowed (prototype pollution).");
          return false;
        }
      }
      return true;
    }

    private boolean validateMergeValue(Object value) {
      if (!(value instanceof JsonObject map)) {
        error("merge.value.not_an_object", "Merge value must be a JSON object");
        return false;
      }
      if (map.size() > MAX_VALUE_KEYS) {
        error("merge.value.too_many_keys", "Merge value has " + map.size()
            + " top-level keys, exceeds maximum of " + MAX_VALUE_KEYS);
        return false;
      }
      for (String key : PROTO_POLLUTION_KEYS) {
        if (map.containsKey(key)) {
          error("merge.value.proto_polluted", "Merge value top-level key " + rustDebug(key)
              + " is a prototype-pollution sink");
          return false;
        }
      }
      int depth = depth(value);
      if (depth > MAX_VALUE_DEPTH) {
        error("merge.value.too_deep", "Merge value JSON nesting depth " + depth
            + " exceeds maximum of " + MAX_VALUE_DEPTH);
        return false;
      }
      return true;
    }
  }

  private static List<String> fieldSegments(String path) {
    return path.isEmpty() ? List.of() : List.of(path);
  }

  private static String label(String path) {
    return path.isEmpty() ? "root" : path;
  }

  private static void putAll(JsonObject target, JsonObject source) {
    for (String key : source.fieldNames()) {
      target.put(key, copy(source.getValue(key)));
    }
  }

  private static Object initialAppendValue(Object value) {
    return value instanceof String ? value : new JsonArray().add(copy(value));
  }

  private static Object missingDecrement(long by) {
    return by == Long.MIN_VALUE ? BigInteger.valueOf(by).negate() : (Object) (-by);
  }

  /**
   * iii's {@code increment_number}/{@code decrement_number}: integers use checked 64-bit math
   * (signed, spilling over into unsigned the way serde_json's i64/u64 numbers do, so any exact
   * result in [i64::MIN, u64::MAX] is kept); floats add {@code by} as a double. Null = failure.
   */
  static Number addNumber(Number n, long by, boolean subtract) {
    BigInteger integer = integerValue(n);
    if (integer != null) {
      BigInteger delta = BigInteger.valueOf(by);
      BigInteger r = subtract ? integer.subtract(delta) : integer.add(delta);
      if (r.compareTo(I64_MIN) < 0 || r.compareTo(U64_MAX) > 0) {
        return null;
      }
      return r.compareTo(I64_MAX) <= 0 ? (Number) r.longValue() : r;
    }
    double d = n.doubleValue();
    double r = subtract ? d - (double) by : d + (double) by;
    return Double.isFinite(r) ? r : null;
  }

  /** The exact integer of a serde_json-style integer (i64 or u64 range), else null (a float). */
  private static BigInteger integerValue(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigInteger.valueOf(n.longValue());
    }
    if (n instanceof BigInteger b && b.compareTo(I64_MIN) >= 0 && b.compareTo(U64_MAX) <= 0) {
      return b;
    }
    if (n instanceof BigDecimal || n instanceof Double || n instanceof Float) {
      return null;
    }
    return null;
  }

  static String typeName(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Boolean) {
      return "boolean";
    } else if (v instanceof Number) {
      return "number";
    } else if (v instanceof JsonArray || v instanceof List) {
      return "array";
    } else if (v instanceof JsonObject || v instanceof Map) {
      return "object";
    }
    return "string";
  }

  /** JSON nesting depth as iii counts it: scalars 0, containers 1 + deepest child. */
  private static int depth(Object v) {
    int max = 0;
    if (v instanceof JsonObject obj) {
      for (String key : obj.fieldNames()) {
        max = Math.max(max, depth(obj.getValue(key)));
      }
      return 1 + max;
    }
    if (v instanceof JsonArray arr) {
      for (int i = 0; i < arr.size(); i++) {
        max = Math.max(max, depth(arr.getValue(i)));
      }
      return 1 + max;
    }
    return 0;
  }

  /** A deep copy of a JSON value, normalizing raw maps/lists to Vert.x JSON types. */
  static Object copy(Object v) {
    if (v instanceof JsonObject obj) {
      return obj.copy();
    } else if (v instanceof JsonArray arr) {
      return arr.copy();
    } else if (v instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) map;
      return new JsonObject(m).copy();
    } else if (v instanceof List<?> list) {
      return new JsonArray(list).copy();
    }
    return v;
  }

  /** Rust's {@code {:?}} rendering of a string: quoted, with escapes. */
  public static String rustDebug(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0 -> out.append("\\0");
        default -> {
          if (cp < 0x20 || cp == 0x7f) {
            out.append("\\u{").append(Integer.toHexString(cp)).append('}');
          } else {
            out.appendCodePoint(cp);
          }
        }
      }
    });
    return out.append('"').toString();
  }
}
