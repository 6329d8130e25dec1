package io.streamnode.config;

import io.streamnode.http.HttpApiOptions;
import io.streamnode.metrics.MetricsOptions;
import io.streamnode.presence.PresenceOptions;
import io.streamnode.socket.StreamSocketOptions;
import io.streamnode.store.AdapterOptions;
import io.streamnode.worker.PublicWorkerSocketOptions;
import io.streamnode.worker.WorkerSocketOptions;
import io.vertx.core.json.JsonArray;
import io.streamnode.store.event.HistoryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node is started with; the root of {@code conf/streamnode.yaml}. Each section is
 * its component's own options object.
 */
public class NodeOptions {

  /** Whether to join a Hazelcast cluster (see {@code cluster.xml}). */
  public static final boolean DEFAULT_CLUSTER = false;
  /** Hazelcast configuration file used when {@code cluster} is true. */
  public static final String DEFAULT_CLUSTER_CONFIG = "cluster.xml";
  /** Cluster name: only members with the same name form a cluster; empty keeps cluster.xml's ("streamnode"). */
  public static final String DEFAULT_CLUSTER_NAME = "";
  /** Hazelcast member port; 0 keeps the one of cluster.xml (5701, auto-incremented). */
  public static final int DEFAULT_CLUSTER_PORT = 0;
  /** Interface to bind and announce; empty keeps cluster.xml's (127.0.0.1). */
  public static final String DEFAULT_CLUSTER_HOST = "";
  /** Vert.x event-loop threads; 0 keeps Vert.x's default (twice the cores the JVM may use). */
  public static final int DEFAULT_EVENT_LOOPS = 0;
  /**
   * Start even though the HTTP API or the worker socket is bound to a non-loopback address
   * without a token, or the public worker socket without {@code rbac.auth_function_id} (a warning
   * is logged on every start). Off: such a node refuses to start.
   */
  public static final boolean DEFAULT_INSECURE = false;
  /**
   * Split-brain protection of the stream data, in members: a member applies (and so acknowledges)
   * a write only while it sees at least this many members, so a member cut off from the majority
   * stops acknowledging writes. 0 (auto): a majority of the TCP/IP member list
   * ({@code cluster_members}, else cluster.xml's) when it names three or more members, else none;
   * 1: none (any lone member writes).
   */
  public static final int DEFAULT_CLUSTER_QUORUM = 0;

  private StreamSocketOptions streamSocket = new StreamSocketOptions();
  private WorkerSocketOptions workerSocket = new WorkerSocketOptions();
  private PublicWorkerSocketOptions publicWorkerSocket = new PublicWorkerSocketOptions();
  private HttpApiOptions httpApi = new HttpApiOptions();
  private AdapterOptions adapter = new AdapterOptions();
  private LimitsOptions limits = new LimitsOptions();
  private MetricsOptions metrics = new MetricsOptions();
  private PresenceOptions presence = new PresenceOptions();
  private HistoryOptions history = new HistoryOptions();
  private boolean cluster = DEFAULT_CLUSTER;
  private String clusterConfig = DEFAULT_CLUSTER_CONFIG;
  private String clusterName = DEFAULT_CLUSTER_NAME;
  private int clusterPort = DEFAULT_CLUSTER_PORT;
  private String clusterHost = DEFAULT_CLUSTER_HOST;
  private int clusterQuorum = DEFAULT_CLUSTER_QUORUM;
  private List<String> clusterMembers = new ArrayList<>();
  private List<String> deploy = new ArrayList<>();
  private int eventLoops = DEFAULT_EVENT_LOOPS;
  private boolean insecure = DEFAULT_INSECURE;

  public NodeOptions() {
  }

  public NodeOptions(NodeOptions other) {
    this(other.toJson());
  }

  public NodeOptions(JsonObject json) {
    streamSocket = new StreamSocketOptions(json.getJsonObject("stream_socket", new JsonObject()));
    workerSocket = new WorkerSocketOptions(json.getJsonObject("worker_socket", new JsonObject()));
    publicWorkerSocket = new PublicWorkerSocketOptions(json.getJsonObject("public_worker_socket", new JsonObject()));
    httpApi = new HttpApiOptions(json.getJsonObject("http_api", new JsonObject()));
    adapter = new AdapterOptions(json.getJsonObject("adapter", new JsonObject()));
    limits = new LimitsOptions(json.getJsonObject("limits", new JsonObject()));
    metrics = new MetricsOptions(json.getJsonObject("metrics", new JsonObject()));
    presence = new PresenceOptions(json.getJsonObject("presence", new JsonObject()));
    history = new HistoryOptions(json.getJsonObject("history", new JsonObject()));
    cluster = json.getBoolean("cluster", DEFAULT_CLUSTER);
    clusterConfig = json.getString("cluster_config", DEFAULT_CLUSTER_CONFIG);
    clusterName = json.getString("cluster_name", DEFAULT_CLUSTER_NAME);
    clusterPort = json.getInteger("cluster_port", DEFAULT_CLUSTER_PORT);
    clusterHost = json.getString("cluster_host", DEFAULT_CLUSTER_HOST);
    clusterQuorum = json.getInteger("cluster_quorum", DEFAULT_CLUSTER_QUORUM);
    eventLoops = json.getInteger("event_loops", DEFAULT_EVENT_LOOPS);
    insecure = json.getBoolean("insecure", DEFAULT_INSECURE);
    clusterMembers = new ArrayList<>();
    json.getJsonArray("cluster_members", new JsonArray()).forEach(v -> clusterMembers.add(String.valueOf(v)));
    deploy = new ArrayList<>();
    json.getJsonArray("deploy", new JsonArray()).forEach(v -> deploy.add(String.valueOf(v)));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("stream_socket", streamSocket.toJson())
        .put("worker_socket", workerSocket.toJson())
        .put("public_worker_socket", publicWorkerSocket.toJson())
        .put("http_api", httpApi.toJson())
        .put("adapter", adapter.toJson())
        .put("limits", limits.toJson())
        .put("metrics", metrics.toJson())
        .put("presence", presence.toJson())
        .put("history", history.toJson())
        .put("cluster", cluster)
        .put("cluster_config", clusterConfig)
        .put("cluster_name", clusterName)
        .put("cluster_port", clusterPort)
        .put("cluster_host", clusterHost)
        .put("cluster_quorum", clusterQuorum)
        .put("event_loops", eventLoops)
        .put("insecure", insecure)
        .put("cluster_members", new JsonArray(new ArrayList<>(clusterMembers)))
        .put("deploy", new JsonArray(new ArrayList<>(deploy)));
  }

  public StreamSocketOptions getStreamSocket() { return streamSocket; }
  public NodeOptions setStreamSocket(StreamSocketOptions v) { streamSocket = v; return this; }
  /** The worker socket iii SDK workers connect to (YAML section {@code worker_socket}). */
  public WorkerSocketOptions getWorkerSocket() { return workerSocket; }
  public NodeOptions setWorkerSocket(WorkerSocketOptions v) { workerSocket = v; return this; }
  /** The worker-protocol listener for browsers and untrusted clients (YAML section {@code public_worker_socket}). */
  public PublicWorkerSocketOptions getPublicWorkerSocket() { return publicWorkerSocket; }
  public NodeOptions setPublicWorkerSocket(PublicWorkerSocketOptions v) { publicWorkerSocket = v; return this; }
  public HttpApiOptions getHttpApi() { return httpApi; }
  public NodeOptions setHttpApi(HttpApiOptions v) { httpApi = v; return this; }
  public AdapterOptions getAdapter() { return adapter; }
  public NodeOptions setAdapter(AdapterOptions v) { adapter = v; return this; }
  public LimitsOptions getLimits() { return limits; }
  /** How much recent history each group keeps for clients that resume with {@code since}. */
  public HistoryOptions getHistory() { return history; }
  public NodeOptions setHistory(HistoryOptions v) { history = v; return this; }
  public NodeOptions setLimits(LimitsOptions v) { limits = v; return this; }
  /** {@code GET /metrics} and Vert.x's own meters (YAML section {@code metrics}). */
  public MetricsOptions getMetrics() { return metrics; }
  public NodeOptions setMetrics(MetricsOptions v) { metrics = v; return this; }
  /** Presence: {@code streamnode::presence} and join/leave notices (YAML section {@code presence}). */
  public PresenceOptions getPresence() { return presence; }
  public NodeOptions setPresence(PresenceOptions v) { presence = v; return this; }
  public boolean isCluster() { return cluster; }
  public NodeOptions setCluster(boolean v) { cluster = v; return this; }
  public String getClusterConfig() { return clusterConfig; }
  public NodeOptions setClusterConfig(String v) { clusterConfig = v; return this; }
  public String getClusterName() { return clusterName; }
  public NodeOptions setClusterName(String v) { clusterName = v; return this; }
  public int getClusterPort() { return clusterPort; }
  public NodeOptions setClusterPort(int v) { clusterPort = v; return this; }
  public String getClusterHost() { return clusterHost; }
  public NodeOptions setClusterHost(String v) { clusterHost = v; return this; }
  /** Members a member must see to accept writes; 0 = auto (see {@link #DEFAULT_CLUSTER_QUORUM}). */
  public int getClusterQuorum() { return clusterQuorum; }
  public NodeOptions setClusterQuorum(int v) { clusterQuorum = v; return this; }
  public int getEventLoops() { return eventLoops; }
  public NodeOptions setEventLoops(int v) { eventLoops = v; return this; }
  public boolean isInsecure() { return insecure; }
  public NodeOptions setInsecure(boolean v) { insecure = v; return this; }
  /** {@code host[:port]} entries replacing cluster.xml's TCP/IP member list; empty keeps the file's. */
  public List<String> getClusterMembers() { return clusterMembers; }
  public NodeOptions setClusterMembers(List<String> v) { clusterMembers = new ArrayList<>(v); return this; }
  /** Verticle class names to deploy into the node after it has started. */
  public List<String> getDeploy() { return deploy; }
  public NodeOptions setDeploy(List<String> v) { deploy = new ArrayList<>(v); return this; }
}
