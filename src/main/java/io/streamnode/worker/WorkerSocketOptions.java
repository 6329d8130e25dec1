package io.streamnode.worker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of the worker socket (YAML section {@code worker_socket}), iii's worker manager: the
 * WebSocket that iii SDK workers connect to. Frame sizes, the outbound queue and the call
 * timeout come from {@code limits}.
 */
public class WorkerSocketOptions {

  /** Interface to bind. Loopback by default: without a token the worker port trusts every client, as iii's. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port, iii's default ({@code ws://localhost:49134}). */
  public static final int DEFAULT_PORT = 49134;
  /**
   * Shared secret: when set, a worker must send {@code Authorization: Bearer <token>} on the
   * WebSocket upgrade (iii-sdk: the {@code headers} option), else the upgrade gets 401. Empty: no check.
   */
  public static final String DEFAULT_TOKEN = "";
  /** File holding the token on one line, read at start when {@code token} is empty. Empty: none. */
  public static final String DEFAULT_TOKEN_FILE = "";

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String token = DEFAULT_TOKEN;
  private String tokenFile = DEFAULT_TOKEN_FILE;
  /**
   * Web origins allowed to open a worker connection; an upgrade with any other {@code Origin}
   * header gets 403. None by default: browsers belong on the stream socket.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  public WorkerSocketOptions() {
  }

  public WorkerSocketOptions(WorkerSocketOptions other) {
    this(other.toJson());
  }

  public WorkerSocketOptions(JsonObject json) {
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
    token = json.getString("token", DEFAULT_TOKEN);
    tokenFile = json.getString("token_file", DEFAULT_TOKEN_FILE);
    allowedOrigins = new ArrayList<>();
    json.getJsonArray("allowed_origins", new JsonArray()).forEach(v -> allowedOrigins.add(String.valueOf(v)));
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port)
        .put("token", token).put("token_file", tokenFile)
        .put("allowed_origins", new JsonArray(new ArrayList<>(allowedOrigins)));
  }

  public String getHost() { return host; }
  public WorkerSocketOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public WorkerSocketOptions setPort(int port) { this.port = port; return this; }
  public String getToken() { return token; }
  public WorkerSocketOptions setToken(String token) { this.token = token; return this; }
  public String getTokenFile() { return tokenFile; }
  public WorkerSocketOptions setTokenFile(String tokenFile) { this.tokenFile = tokenFile; return this; }
  public List<String> getAllowedOrigins() { return allowedOrigins; }
  public WorkerSocketOptions setAllowedOrigins(List<String> v) { allowedOrigins = new ArrayList<>(v); return this; }
}
