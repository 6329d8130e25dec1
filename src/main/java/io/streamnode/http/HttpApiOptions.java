package io.streamnode.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Options of the HTTP API: the function API and the {@code http}-trigger routes (YAML section {@code http_api}). */
public class HttpApiOptions {

  /** Whether the HTTP API listens at all. */
  public static final boolean DEFAULT_ENABLED = true;
  /** Interface to bind. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port (iii's REST API default). */
  public static final int DEFAULT_PORT = 3111;
  /**
   * Shared secret: when set, every function call ({@code /functions/*}) needs
   * {@code Authorization: Bearer <token>} (401 otherwise). Empty: no check.
   */
  public static final String DEFAULT_TOKEN = "";
  /** File holding the token on one line, read at start when {@code token} is empty. Empty: none. */
  public static final String DEFAULT_TOKEN_FILE = "";
  /**
   * Most {@code http}-trigger requests in flight at once (iii's {@code concurrency_request_limit}
   * default); beyond it a request is answered 503 at once instead of waiting as in iii.
   */
  public static final int DEFAULT_CONCURRENCY_LIMIT = 1024;

  private boolean enabled = DEFAULT_ENABLED;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String token = DEFAULT_TOKEN;
  private String tokenFile = DEFAULT_TOKEN_FILE;
  /**
   * Web origins (e.g. {@code https://app.example.com}, or {@code *}) whose pages may call the API;
   * a request with any other {@code Origin} header gets 403. None by default.
   */
  private List<String> allowedOrigins = new ArrayList<>();
  private int concurrencyLimit = DEFAULT_CONCURRENCY_LIMIT;
  private CorsOptions cors = new CorsOptions();
  private List<MiddlewareOptions> middleware = new ArrayList<>();

  public HttpApiOptions() {
  }

  public HttpApiOptions(HttpApiOptions other) {
    this(other.toJson());
  }

  public HttpApiOptions(JsonObject json) {
    enabled = json.getBoolean("enabled", DEFAULT_ENABLED);
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
    token = json.getString("token", DEFAULT_TOKEN);
    tokenFile = json.getString("token_file", DEFAULT_TOKEN_FILE);
    allowedOrigins = new ArrayList<>();
    json.getJsonArray("allowed_origins", new JsonArray()).forEach(v -> allowedOrigins.add(String.valueOf(v)));
    concurrencyLimit = json.getInteger("concurrency_limit", DEFAULT_CONCURRENCY_LIMIT);
    cors = new CorsOptions(json.getJsonObject("cors", new JsonObject()));
    middleware = new ArrayList<>();
    for (Object entry : json.getJsonArray("middleware", new JsonArray())) {
      if (!(entry instanceof JsonObject m)) {
        throw new IllegalArgumentException("each middleware is a mapping {function_id, priority}, got " + entry);
      }
      middleware.add(new MiddlewareOptions(m));
    }
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    middleware.forEach(m -> list.add(m.toJson()));
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port)
        .put("token", token).put("token_file", tokenFile)
        .put("allowed_origins", new JsonArray(new ArrayList<>(allowedOrigins)))
        .put("concurrency_limit", concurrencyLimit).put("cors", cors.toJson()).put("middleware", list);
  }

  public boolean isEnabled() { return enabled; }
  public HttpApiOptions setEnabled(boolean enabled) { this.enabled = enabled; return this; }
  public String getHost() { return host; }
  public HttpApiOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public HttpApiOptions setPort(int port) { this.port = port; return this; }
  public String getToken() { return token; }
  public HttpApiOptions setToken(String token) { this.token = token; return this; }
  public String getTokenFile() { return tokenFile; }
  public HttpApiOptions setTokenFile(String tokenFile) { this.tokenFile = tokenFile; return this; }
  public List<String> getAllowedOrigins() { return allowedOrigins; }
  public HttpApiOptions setAllowedOrigins(List<String> v) { allowedOrigins = new ArrayList<>(v); return this; }
  public int getConcurrencyLimit() { return concurrencyLimit; }
  public HttpApiOptions setConcurrencyLimit(int v) { concurrencyLimit = v; return this; }
  public CorsOptions getCors() { return cors; }
  public HttpApiOptions setCors(CorsOptions v) { cors = v; return this; }
  /** Global middleware, in configuration order (run sorted by priority). */
  public List<MiddlewareOptions> getMiddleware() { return middleware; }
  public HttpApiOptions setMiddleware(List<MiddlewareOptions> v) { middleware = new ArrayList<>(v); return this; }
}
