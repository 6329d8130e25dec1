package io.streamnode.worker;

import io.streamnode.worker.rbac.RbacOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of the public worker socket (YAML section {@code public_worker_socket}): a second
 * listener of the worker protocol for browsers and other untrusted clients, iii's
 * {@code iii-worker-manager} entry with an {@code rbac} block. Each connection is authenticated by
 * {@code rbac.auth_function_id} and may call only what {@code rbac.expose_functions} and its auth
 * result allow. Frame sizes, the outbound queue and the call timeout come from {@code limits}.
 */
public class PublicWorkerSocketOptions {

  /** Off by default: nothing listens until it is enabled. */
  public static final boolean DEFAULT_ENABLED = false;
  /**
   * Interface to bind. Loopback by default, as every listener (iii binds 0.0.0.0); a non-loopback
   * host without {@code rbac.auth_function_id} stops start-up unless {@code --insecure}.
   */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TCP port: the one iii's documentation gives its public RBAC listener. */
  public static final int DEFAULT_PORT = 49135;

  private boolean enabled = DEFAULT_ENABLED;
  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  /**
   * Web origins whose pages may connect ({@code https://app.example.com}); an upgrade with any other
   * {@code Origin} header gets 403. {@code ["*"]} by default: this listener is the one for browsers,
   * and like iii's it lets any page try, since a page still needs what the auth function asks for (a
   * token in a query parameter). List your origins when the auth function trusts cookies, which a
   * browser attaches to a foreign page's upgrade too.
   */
  private List<String> allowedOrigins = new ArrayList<>(List.of("*"));
  private RbacOptions rbac = new RbacOptions();

  public PublicWorkerSocketOptions() {
  }

  public PublicWorkerSocketOptions(PublicWorkerSocketOptions other) {
    this(other.toJson());
  }

  /** @throws IllegalArgumentException when an {@code rbac.expose_functions} rule is malformed */
  public PublicWorkerSocketOptions(JsonObject json) {
    enabled = json.getBoolean("enabled", DEFAULT_ENABLED);
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
    allowedOrigins = new ArrayList<>();
    json.getJsonArray("allowed_origins", new JsonArray().add("*")).forEach(v -> allowedOrigins.add(String.valueOf(v)));
    rbac = new RbacOptions(json.getJsonObject("rbac", new JsonObject()));
  }

  public JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port)
        .put("allowed_origins", new JsonArray(new ArrayList<>(allowedOrigins)))
        .put("rbac", rbac.toJson());
  }

  public boolean isEnabled() { return enabled; }
  public PublicWorkerSocketOptions setEnabled(boolean v) { enabled = v; return this; }
  public String getHost() { return host; }
  public PublicWorkerSocketOptions setHost(String v) { host = v; return this; }
  public int getPort() { return port; }
  public PublicWorkerSocketOptions setPort(int v) { port = v; return this; }
  public List<String> getAllowedOrigins() { return allowedOrigins; }
  public PublicWorkerSocketOptions setAllowedOrigins(List<String> v) { allowedOrigins = new ArrayList<>(v); return this; }
  /** Authentication, exposed functions and registration hooks (iii's {@code rbac} block). */
  public RbacOptions getRbac() { return rbac; }
  public PublicWorkerSocketOptions setRbac(RbacOptions v) { rbac = v; return this; }
}
