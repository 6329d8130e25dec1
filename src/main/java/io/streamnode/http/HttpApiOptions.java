package io.streamnode.http;

import io.vertx.core.json.JsonObject;

/** Options of the HTTP function API (YAML section {@code http_api}). */
public class HttpApiOptions {

  /** Whether the HTTP API listens at all. */
  public static final boolean DEFAULT_ENABLED = true;
  /** Interface to bind. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port (iii's REST API default). */
  public static final int DEFAULT_PORT = 3111;

  private boolean enabled = DEFAULT_ENABLED;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;

  public HttpApiOptions() {
  }

  public HttpApiOptions(HttpApiOptions other) {
    this(other.toJson());
  }

  public HttpApiOptions(JsonObject json) {
    enabled = json.getBoolean("enabled", DEFAULT_ENABLED);
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port);
  }

  public boolean isEnabled() { return enabled; }
  public HttpApiOptions setEnabled(boolean enabled) { this.enabled = enabled; return this; }
  public String getHost() { return host; }
  public HttpApiOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public HttpApiOptions setPort(int port) { this.port = port; return this; }
}
