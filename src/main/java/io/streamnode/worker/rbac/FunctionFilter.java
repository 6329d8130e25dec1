package io.streamnode.worker.rbac;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One rule of {@code public_worker_socket.rbac.expose_functions}, in iii's two shapes:
 * <ul>
 *   <li>{@code match("api::*")}: the function id matches the {@link WildcardPattern} (the map
 *       form {@code {match: "api::*"}} of newer iii engines is read too);</li>
 *   <li>{@code {metadata: {public: true, tier: match("free-*")}}}: the function was registered with
 *       {@code metadata} holding every listed key, each equal to the given JSON value, or for a
 *       {@code match("...")} value, a string matching that pattern.</li>
 * </ul>
 * A list of rules exposes a function when any rule matches it.
 */
public final class FunctionFilter {

  private final WildcardPattern idPattern;
  private final Map<String, Object> metadata;

  private FunctionFilter(WildcardPattern idPattern, Map<String, Object> metadata) {
    this.idPattern = idPattern;
    this.metadata = metadata;
  }

  /**
   * Reads a rule as it appears in the config.
   *
   * @throws IllegalArgumentException for anything else, naming what is expected (iii refuses such a
   *     config at start too)
   */
  public static FunctionFilter parse(Object rule) {
    if (rule instanceof String text) {
      String pattern = WildcardPattern.unwrap(text);
      if (pattern == null) {
        throw new IllegalArgumentException("expected match(\"pattern\"), got: " + text);
      }
      return new FunctionFilter(new WildcardPattern(pattern), null);
    }
    if (!(rule instanceof JsonObject map)) {
      throw new IllegalArgumentException("expected a match(\"pattern\") string or a mapping with a 'metadata' key, got: " + rule);
    }
    WildcardPattern id = null;
    Map<String, Object> expected = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map) {
      switch (e.getKey()) {
        case "match" -> {
          if (!(e.getValue() instanceof String raw)) {
            throw new IllegalArgumentException("'match' takes a pattern string, got: " + e.getValue());
          }
          id = new WildcardPattern(raw);
        }
        case "metadata" -> {
          if (!(e.getValue() instanceof JsonObject conditions)) {
            throw new IllegalArgumentException("'metadata' takes a mapping of keys to values, got: " + e.getValue());
          }
          for (Map.Entry<String, Object> c : conditions) {
            String pattern = c.getValue() instanceof String s ? WildcardPattern.unwrap(s) : null;
            expected.put(c.getKey(), pattern != null ? new WildcardPattern(pattern) : c.getValue());
          }
        }
        // A typo (`metdata`) must not quietly leave a rule that matches nothing, or everything.
        default -> throw new IllegalArgumentException("unknown key '" + e.getKey()
            + "' in an expose_functions rule; expected 'match' or 'metadata'");
      }
    }
    if (id != null && !expected.isEmpty()) {
      throw new IllegalArgumentException("a rule has either a 'match' or a 'metadata' key, not both");
    }
    if (id == null && expected.isEmpty()) {
      throw new IllegalArgumentException("expected a 'match' or 'metadata' key with filter conditions");
    }
    return new FunctionFilter(id, id == null ? expected : null);
  }

  /**
   * Whether the rule exposes {@code functionId}.
   *
   * @param functionMetadata the {@code metadata} the function was registered with, or {@code null}
   *     (none, or not known on this node): a metadata rule never matches it
   */
  public boolean matches(String functionId, Object functionMetadata) {
    if (idPattern != null) {
      return idPattern.matches(functionId);
    }
    if (!(functionMetadata instanceof JsonObject registered)) {
      return false;
    }
    for (Map.Entry<String, Object> condition : metadata.entrySet()) {
      if (!registered.containsKey(condition.getKey())) {
        return false;
      }
      Object actual = registered.getValue(condition.getKey());
      boolean ok = condition.getValue() instanceof WildcardPattern pattern
          ? actual instanceof String s && pattern.matches(s)
          : sameJson(condition.getValue(), actual);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** JSON equality, numbers by value (Vert.x's JsonArray equality does that). */
  private static boolean sameJson(Object a, Object b) {
    return new JsonArray().add(a).equals(new JsonArray().add(b));
  }

  @Override
  public String toString() {
    return idPattern != null ? idPattern.toString() : "{metadata: " + metadata + "}";
  }
}
