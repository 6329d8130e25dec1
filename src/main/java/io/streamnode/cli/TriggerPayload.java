package io.streamnode.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Builds a function's input from command-line tokens, as {@code iii trigger} does: {@code key=value}
 * pairs make an object (values JSON-decoded when they parse, else strings), {@code --json} gives a
 * whole value, both together shallow-merge the pairs over the JSON object, neither gives {@code {}}.
 */
public final class TriggerPayload {

  private TriggerPayload() {
  }

  /** @throws IllegalArgumentException with a message for the user */
  public static Object parse(List<String> pairs, String json) {
    JsonObject fromPairs = null;
    if (!pairs.isEmpty()) {
      fromPairs = new JsonObject();
      for (String token : pairs) {
        int eq = token.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("expected key=value, got `" + token + "`");
        }
        if (eq == 0) {
          throw new IllegalArgumentException("payload key must not be empty (got `" + token + "`)");
        }
        String raw = token.substring(eq + 1);
        Object value;
        try {
          value = Json.decodeValue(raw);
        } catch (DecodeException notJson) {
          value = raw;
        }
        fromPairs.put(token.substring(0, eq), value);
      }
    }
    Object fromJson = null;
    if (json != null) {
      try {
        fromJson = Json.decodeValue(json);
      } catch (DecodeException e) {
        throw new IllegalArgumentException("--json: invalid JSON `" + json + "`");
      }
    }
    if (fromJson == null && json == null) {
      return fromPairs == null ? new JsonObject() : fromPairs;
    }
    if (fromPairs == null) {
      return fromJson;
    }
    if (!(fromJson instanceof JsonObject base)) {
      throw new IllegalArgumentException("--json must be an object when combined with kv pairs");
    }
    return base.mergeIn(fromPairs);
  }
}
