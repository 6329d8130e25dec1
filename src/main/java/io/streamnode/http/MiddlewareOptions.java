package io.streamnode.http;

import io.vertx.core.json.JsonObject;

/**
 * One global middleware of the HTTP-trigger routes (an entry of the YAML list
 * {@code http_api.middleware}), as iii's {@code middleware} entries: a function called before
 * every route's handler, lower {@code priority} first.
 */
public class MiddlewareOptions {

  /** The only phase iii supports: before the handler. */
  public static final String DEFAULT_PHASE = "preHandler";
  /** Order among global middleware; lower runs first. */
  public static final long DEFAULT_PRIORITY = 0;

  private String functionId;
  private String phase = DEFAULT_PHASE;
  private long priority = DEFAULT_PRIORITY;

  public MiddlewareOptions() {
  }

  public MiddlewareOptions(MiddlewareOptions other) {
    this(other.toJson());
  }

  /** Reads {@code {function_id, phase?, priority?}}; a missing function id is refused. */
  public MiddlewareOptions(JsonObject json) {
    if (!(json.getValue("function_id") instanceof String id) || id.isEmpty()) {
      throw new IllegalArgumentException("a middleware needs function_id (a non-empty string), got " + json.encode());
    }
    functionId = id;
    Object p = json.getValue("phase", DEFAULT_PHASE);
    if (!DEFAULT_PHASE.equals(p)) {
      throw new IllegalArgumentException("middleware " + id + ": phase must be " + DEFAULT_PHASE + ", got " + p);
    }
    phase = DEFAULT_PHASE;
    if (!(json.getValue("priority", DEFAULT_PRIORITY) instanceof Number n)) {
      throw new IllegalArgumentException("middleware " + id + ": priority must be a number");
    }
    priority = n.longValue();
  }

  public JsonObject toJson() {
    return new JsonObject().put("function_id", functionId).put("phase", phase).put("priority", priority);
  }

  public String getFunctionId() { return functionId; }
  public MiddlewareOptions setFunctionId(String v) { functionId = v; return this; }
  public String getPhase() { return phase; }
  public long getPriority() { return priority; }
  public MiddlewareOptions setPriority(long v) { priority = v; return this; }
}
