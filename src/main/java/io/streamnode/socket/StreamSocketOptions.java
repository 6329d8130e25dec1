package io.streamnode.socket;

import io.vertx.core.json.JsonObject;

/** Options of the stream socket (YAML section {@code stream_socket}), iii's {@code iii-stream} worker. */
public class StreamSocketOptions {

  /** Interface to bind. Loopback by default: expose it on purpose. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port, iii's default. */
  public static final int DEFAULT_PORT = 3112;
  /** Function called once per WebSocket handshake; its {@code context} reaches join/leave. None by default. */
  public static final String DEFAULT_AUTH_FUNCTION = null;
  /** Gateway verticle instances (event loops serving sockets). */
  public static final int DEFAULT_INSTANCES = 1;
  /**
   * Refuse (401) a handshake whose {@code auth_function} fails, times out
   * ({@code limits.call_timeout_ms}) or returns no {@code context}. Off: such a connection is
   * accepted without context, as iii does (fail-open).
   */
  public static final boolean DEFAULT_AUTH_REQUIRED = false;
  /**
   * Refuse ({@code unauthorized}) a join whose {@code stream:join} handler failed or did not answer
   * within {@code limits.call_timeout_ms}. Off: such a join is allowed, as iii does (fail-open).
   */
  public static final boolean DEFAULT_JOIN_FAIL_CLOSED = false;
  /** A WebSocket ping is sent to every connection this often, in milliseconds. 0: no pings. */
  public static final long DEFAULT_PING_INTERVAL_MS = 25_000;
  /**
   * A connection that sent no frame (pongs included) for this long, in milliseconds, is closed, so
   * that half-open clients do not keep their subscriptions and presence. 0: never.
   */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String authFunction = DEFAULT_AUTH_FUNCTION;
  private int instances = DEFAULT_INSTANCES;
  private boolean authRequired = DEFAULT_AUTH_REQUIRED;
  private boolean joinFailClosed = DEFAULT_JOIN_FAIL_CLOSED;
  private long pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;

  public StreamSocketOptions() {
  }

  public StreamSocketOptions(StreamSocketOptions other) {
    this(other.toJson());
  }

  public StreamSocketOptions(JsonObject json) {
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
    authFunction = json.getString("auth_function", DEFAULT_AUTH_FUNCTION);
    instances = json.getInteger("instances", DEFAULT_INSTANCES);
    authRequired = json.getBoolean("auth_required", DEFAULT_AUTH_REQUIRED);
    joinFailClosed = json.getBoolean("join_fail_closed", DEFAULT_JOIN_FAIL_CLOSED);
    pingIntervalMs = json.getLong("ping_interval_ms", DEFAULT_PING_INTERVAL_MS);
    idleTimeoutMs = json.getLong("idle_timeout_ms", DEFAULT_IDLE_TIMEOUT_MS);
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port)
        .put("auth_function", authFunction).put("instances", instances)
        .put("auth_required", authRequired).put("join_fail_closed", joinFailClosed)
        .put("ping_interval_ms", pingIntervalMs).put("idle_timeout_ms", idleTimeoutMs);
  }

  public String getHost() { return host; }
  public StreamSocketOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public StreamSocketOptions setPort(int port) { this.port = port; return this; }
  public String getAuthFunction() { return authFunction; }
  public StreamSocketOptions setAuthFunction(String authFunction) { this.authFunction = authFunction; return this; }
  public int getInstances() { return instances; }
  public StreamSocketOptions setInstances(int instances) { this.instances = instances; return this; }
  public boolean isAuthRequired() { return authRequired; }
  public StreamSocketOptions setAuthRequired(boolean v) { authRequired = v; return this; }
  public boolean isJoinFailClosed() { return joinFailClosed; }
  public StreamSocketOptions setJoinFailClosed(boolean v) { joinFailClosed = v; return this; }
  public long getPingIntervalMs() { return pingIntervalMs; }
  public StreamSocketOptions setPingIntervalMs(long v) { pingIntervalMs = v; return this; }
  public long getIdleTimeoutMs() { return idleTimeoutMs; }
  public StreamSocketOptions setIdleTimeoutMs(long v) { idleTimeoutMs = v; return this; }
}
