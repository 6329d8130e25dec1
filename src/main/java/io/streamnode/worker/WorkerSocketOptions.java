package io.streamnode.worker;

import io.vertx.core.json.JsonObject;

/**
 * Options of the worker socket (YAML section {@code worker_socket}), iii's worker manager: the
 * WebSocket that iii SDK workers connect to. Frame sizes, the outbound queue and the call
 * timeout come from {@code limits}.
 */
public class WorkerSocketOptions {

  /** Interface to bind. Loopback by default: the worker port has no authentication, as iii's trusted port. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port, iii's default ({@code ws://localhost:49134}). */
  public static final int DEFAULT_PORT = 49134;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;

  public WorkerSocketOptions() {
  }

  public WorkerSocketOptions(WorkerSocketOptions other) {
    this(other.toJson());
  }

  public WorkerSocketOptions(JsonObject json) {
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port);
  }

  public String getHost() { return host; }
  public WorkerSocketOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public WorkerSocketOptions setPort(int port) { this.port = port; return this; }
}
