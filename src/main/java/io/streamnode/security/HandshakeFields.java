package io.streamnode.security;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The parts of a WebSocket upgrade request that auth functions receive, in iii's shapes
 * ({@code headers_to_map}, {@code query_to_multi_map}): shared by the stream socket's
 * {@code auth_function} and the public worker socket's {@code auth_function_id}.
 */
public final class HandshakeFields {

  private HandshakeFields() {
  }

  /**
   * Header names lower-cased, one value each (the last of repeated ones); headers whose value is not
   * printable ASCII are left out, as iii leaves out values that are not valid header text.
   */
  public static JsonObject headers(MultiMap headers) {
    JsonObject out = new JsonObject();
    headers.forEach(h -> {
      if (h.getValue().chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\t')) {
        out.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue());
      }
    });
    return out;
  }

  /**
   * {@code ?a=1&a=2&b=&c} as {@code {"a":["1","2"],"b":[""],"c":[""]}}: every key a list, values as
   * sent (not percent-decoded, as in iii), empty keys skipped. {@code null} or empty: {@code {}}.
   */
  public static JsonObject queryParams(String query) {
    JsonObject out = new JsonObject();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      if (key.isEmpty()) {
        continue;
      }
      JsonArray values = out.getJsonArray(key);
      if (values == null) {
        out.put(key, values = new JsonArray());
      }
      values.add(eq < 0 ? "" : part.substring(eq + 1));
    }
    return out;
  }
}
