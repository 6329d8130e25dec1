package io.streamnode.metrics;

import io.vertx.core.json.JsonObject;

/** Options of the node's metrics (YAML section {@code metrics}). */
public class MetricsOptions {

  /** Whether {@code GET /metrics} answers (on the HTTP API port) and Vert.x's own meters are on. */
  public static final boolean DEFAULT_ENABLED = true;
  /** Whether Vert.x's JVM meters (memory, GC, threads, class loading) are included. */
  public static final boolean DEFAULT_JVM = true;

  private boolean enabled = DEFAULT_ENABLED;
  private boolean jvm = DEFAULT_JVM;

  public MetricsOptions() {
  }

  public MetricsOptions(MetricsOptions other) {
    this(other.toJson());
  }

  public MetricsOptions(JsonObject json) {
    enabled = json.getBoolean("enabled", DEFAULT_ENABLED);
    jvm = json.getBoolean("jvm", DEFAULT_JVM);
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("jvm", jvm);
  }

  public boolean isEnabled() { return enabled; }
  public MetricsOptions setEnabled(boolean enabled) { this.enabled = enabled; return this; }
  public boolean isJvm() { return jvm; }
  public MetricsOptions setJvm(boolean jvm) { this.jvm = jvm; return this; }
}
