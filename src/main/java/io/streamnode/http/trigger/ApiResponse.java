package io.streamnode.http.trigger;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What a route handler (or a middleware that responds) answers, iii's {@code ApiResponse}:
 * {@code {status_code, body, headers}}. {@code status_code} defaults to 200 and {@code body} to
 * {@code {}}, as in iii; {@code headers} is an object ({@code {"Content-Type": "text/plain"}}) or
 * a list of {@code "Name: value"} strings, and entries that are neither are skipped.
 *
 * @param status the HTTP status
 * @param headers name and value pairs, in order
 * @param body the body value
 */
public record ApiResponse(int status, List<Map.Entry<String, String>> headers, Object body) {

  private static final Logger LOG = Logger.getLogger(ApiResponse.class.getName());

  /** A value that is not a response object (not an object, or a status outside 100-599). */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads a handler's answer; {@link Invalid} when it is not a response object. */
  static ApiResponse from(Object value) {
    if (!(value instanceof JsonObject json)) {
      throw new Invalid("expected a response object {status_code, body, headers}, got "
          + (value == null ? "no result" : Json.encode(value)));
    }
    Object status = json.getValue("status_code", 200);
    if (!(status instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())
        || n.intValue() < 100 || n.intValue() > 599) {
      throw new Invalid("status_code must be a whole number from 100 to 599, got " + Json.encode(status));
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    Object h = json.getValue("headers");
    if (h instanceof JsonObject obj) {
      for (Map.Entry<String, Object> e : obj) {
        if (e.getValue() instanceof String v) {
          headers.add(Map.entry(e.getKey(), v));
        }
      }
    } else if (h instanceof JsonArray lines) {
      for (Object line : lines) {
        if (line instanceof String s) {
          int colon = s.indexOf(':');
          String name = colon < 0 ? "" : s.substring(0, colon).trim();
          if (!name.isEmpty()) {
            headers.add(Map.entry(name, s.substring(colon + 1).trim()));
          }
        }
      }
    }
    Object body = json.containsKey("body") ? json.getValue("body") : new JsonObject();
    return new ApiResponse(n.intValue(), headers, body);
  }

  /**
   * Sends it as iii does: with a {@code Content-Type} of their own, a string body goes as it is
   * and a {@code null} body as nothing; any other body is JSON (with {@code application/json}
   * unless the handler chose a type). Headers Vert.x refuses (bad names or values) are skipped
   * with a warning.
   */
  void send(HttpServerResponse response) {
    if (response.ended() || response.closed()) {
      return;
    }
    String contentType = null;
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase("content-type")) {
        contentType = h.getValue();
      }
    }
    Buffer bytes;
    boolean defaultType = false;
    if (contentType != null && body instanceof String s) {
      bytes = Buffer.buffer(s);
    } else if (contentType != null && body == null) {
      bytes = Buffer.buffer();
    } else {
      bytes = Json.encodeToBuffer(body);
      defaultType = contentType == null;
    }
    response.setStatusCode(status);
    for (Map.Entry<String, String> h : headers) {
      try {
        response.headers().add(h.getKey(), h.getValue());
      } catch (IllegalArgumentException e) {
        LOG.warning("skipping invalid response header " + h.getKey() + ": " + e.getMessage());
      }
    }
    if (defaultType) {
      response.putHeader("content-type", "application/json");
    }
    response.end(bytes);
  }

  /** The value of a header, case-insensitively, or {@code null}. */
  public String header(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
        return h.getValue();
      }
    }
    return null;
  }
}
