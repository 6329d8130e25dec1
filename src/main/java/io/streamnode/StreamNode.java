package io.streamnode;

import io.streamnode.cluster.ClusterMember;
import io.streamnode.cluster.HazelcastStorage;
import io.streamnode.cluster.PartitionOwnership;
import io.streamnode.cluster.ReplicatedCustomImplementationCatalog;
import io.streamnode.cluster.ReplicatedFunctionOwners;
import io.streamnode.cluster.ReplicatedTriggerCatalog;
import io.streamnode.config.NodeOptions;
import io.streamnode.http.HttpApiVerticle;
import io.streamnode.security.ConnectionLimits;
import io.streamnode.security.Exposure;
import io.streamnode.ops.OperationsRoutes;
import io.streamnode.ops.MembersVerticle;
import io.streamnode.ops.Readiness;
import io.streamnode.presence.PresenceVerticle;
import io.streamnode.http.route.RouteTable;
import io.streamnode.socket.StreamSocketVerticle;
import io.streamnode.store.AdapterFactory;
import io.streamnode.store.StoreAddresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.streamnode.store.custom.CustomImplementationCatalog;
import io.streamnode.store.GroupOwnership;
import io.streamnode.store.StoreVerticle;
import io.streamnode.store.event.StreamEventCodec;
import io.streamnode.store.StreamStorage;
import io.streamnode.trigger.TriggerCatalog;
import io.streamnode.trigger.TriggerDispatchVerticle;
import io.streamnode.worker.FunctionOwners;
import io.streamnode.worker.WorkerSocketVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A running node: the store, trigger dispatch, the stream socket gateway, the worker socket, the
 * HTTP API and any user verticles, deployed into one Vert.x and talking over its event bus.
 *
 * <pre>{@code
 * StreamNode.start(vertx, new NodeOptions()).onSuccess(node -> ...);
 * }</pre>
 */
public final class StreamNode {

  private static final Logger LOG = Logger.getLogger(StreamNode.class.getName());

  private final Vertx vertx;
  private final NodeOptions options;
  private final ClusterMember member;
  private final Deque<String> deployments = new ArrayDeque<>();
  private StreamSocketVerticle streamSocket;
  /** Every stream socket instance (stream_socket.instances), for the node's counters. */
  private final java.util.List<StreamSocketVerticle> streamSockets = new java.util.concurrent.CopyOnWriteArrayList<>();
  private WorkerSocketVerticle workerSocket;
  private HttpApiVerticle httpApi;
  private Readiness readiness;
  private String nodeId;

  private StreamNode(Vertx vertx, NodeOptions options, ClusterMember member) {
    this.vertx = vertx;
    this.options = options;
    this.member = member;
  }

  /** Deploys a single node (no cluster) into {@code vertx}; completes when every part is listening. */
  public static Future<StreamNode> start(Vertx vertx, NodeOptions options) {
    return start(new StreamNode(vertx, new NodeOptions(options), null));
  }

  /**
   * Deploys a cluster node into the member's clustered Vert.x: groups are owned by Hazelcast
   * partition owners, kv data lives in a replicated Hazelcast map, triggers are known cluster-wide.
   */
  public static Future<StreamNode> start(ClusterMember member, NodeOptions options) {
    return start(new StreamNode(member.vertx(), new NodeOptions(options), member));
  }

  private static Future<StreamNode> start(StreamNode node) {
    return node.deployAll().map(node).recover(err -> node.close().transform(ignored -> Future.failedFuture(err)));
  }

  private Future<Void> deployAll() {
    registerCodecs(vertx);
    List<String> unprotected;
    try {
      unprotected = Exposure.unprotected(options);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (!unprotected.isEmpty()) {
      String what = String.join("; ", unprotected);
      if (!options.isInsecure()) {
        return Future.failedFuture(new IllegalStateException("refusing to start: " + what
            + ". Anyone who can reach that address could read and change every stream. Set the token"
            + " (see the README's Security section), bind to 127.0.0.1, or start with --insecure."));
      }
      LOG.warning("INSECURE (--insecure): " + what + "; anyone who can reach it can read and change every stream");
    }
    readiness = new Readiness(vertx, options, member);
    StreamStorage storage;
    GroupOwnership ownership = GroupOwnership.SINGLE_NODE;
    TriggerCatalog catalog = TriggerCatalog.local();
    FunctionOwners functionOwners = FunctionOwners.local();
    CustomImplementationCatalog customCatalog = CustomImplementationCatalog.local();
    try {
      if (member != null && "kv".equals(options.getAdapter().getName())) {
        if (!"in_memory".equals(options.getAdapter().storeMethod())) {
          LOG.warning("store: adapter.config.store_method is ignored in cluster mode: kv data lives in the "
              + "cluster's replicated map");
        }
        storage = new HazelcastStorage(vertx, member.hazelcast(), options.getHistory());
      } else {
        storage = AdapterFactory.create(vertx, options.getAdapter(), options.getHistory());
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (member != null) {
      member.onMembershipChange(() -> vertx.eventBus().publish(StoreAddresses.POSITIONS_SUSPECT, null,
          new DeliveryOptions().setLocalOnly(true)));
      ownership = new PartitionOwnership(member.hazelcast());
      catalog = new ReplicatedTriggerCatalog(vertx, member.hazelcast());
      functionOwners = new ReplicatedFunctionOwners(vertx, member.hazelcast());
      customCatalog = new ReplicatedCustomImplementationCatalog(vertx, member.hazelcast());
      LOG.info("store: adapter " + (storage instanceof HazelcastStorage ? "kv (replicated Hazelcast map "
          + HazelcastStorage.MAP_NAME + ")" : options.getAdapter().describe()) + ", groups owned by partition owners");
    } else {
      LOG.info("store: adapter " + options.getAdapter().describe());
    }
    // One count of open WebSockets for every listener (limits.max_connections).
    ConnectionLimits admission = new ConnectionLimits(options.getLimits());
    FunctionOwners clusterFunctionOwners = functionOwners;
    GroupOwnership owners = ownership;
    TriggerCatalog triggers = catalog;
    CustomImplementationCatalog customs = customCatalog;
    // Written by the trigger dispatch, read by the HTTP API: the http triggers' routes.
    RouteTable routes = new RouteTable();
    return deploy("trigger dispatch", () -> new TriggerDispatchVerticle(options.getLimits(), triggers, routes), 1)
        .compose(v -> deploy("store", () -> new StoreVerticle(storage, options.getLimits(), owners, customs), 1))
        // User verticles before any listener opens: a node that answers has all its functions and triggers.
        .compose(v -> deployUserVerticles())
        .compose(v -> deploy("members", () -> new MembersVerticle(options, nodeId(),
            member == null ? null : member.hazelcast(), this::streamSocketPort), 1))
        // Before the stream socket, so that it stops after it and records the leaves of its closes.
        .compose(v -> deploy("presence", () -> new PresenceVerticle(options.getPresence(), options.getLimits(),
            nodeId(), member == null ? null : member.hazelcast(), member == null && "redis".equals(options.getAdapter().getName())
                ? new io.streamnode.store.redis.RedisStorageOptions(options.getAdapter().getConfig()).getRedisUrl() : null), 1))
        // One instance: it alone decides which worker owns a function or trigger id. Before the
        // stream socket, so that it stops after it: the leaves of the sockets closed at shutdown
        // may have handlers owned by workers, which must still be connected.
        .compose(v -> deploy("worker socket", () -> workerSocket = new WorkerSocketVerticle(options.getWorkerSocket(),
            options.getPublicWorkerSocket(), options.getLimits(), admission, clusterFunctionOwners), 1))
        .onSuccess(v -> LOG.info("worker socket: ws://" + options.getWorkerSocket().getHost() + ":" + workerSocketPort() + "/"))
        .onSuccess(v -> {
          if (options.getPublicWorkerSocket().isEnabled()) {
            LOG.info("public worker socket: ws://" + options.getPublicWorkerSocket().getHost() + ":"
                + publicWorkerSocketPort() + "/ (auth function: "
                + Objects.requireNonNullElse(options.getPublicWorkerSocket().getRbac().getAuthFunctionId(), "none")
                + ", exposed: " + options.getPublicWorkerSocket().getRbac().getExposeFunctions() + ")");
          }
        })
        .compose(v -> deploy("stream socket", () -> {
              streamSocket = new StreamSocketVerticle(options.getStreamSocket(), options.getLimits(), admission);
              streamSockets.add(streamSocket);
              return streamSocket;
            }, options.getStreamSocket().getInstances()))
        .onSuccess(v -> LOG.info("stream socket: ws://" + options.getStreamSocket().getHost() + ":" + streamSocketPort()
            + "/ (" + options.getStreamSocket().getInstances() + " instance(s))"))
        .compose(v -> {
          if (!options.getHttpApi().isEnabled()) {
            return Future.succeededFuture();
          }
          return deploy("http api", () -> httpApi = new HttpApiVerticle(options.getHttpApi(), options.getLimits(),
              routes).withOperations(new OperationsRoutes(readiness, options.getMetrics())), 1)
              .onSuccess(x -> LOG.info("http api: http://" + options.getHttpApi().getHost() + ":" + httpPort()
                  + "/functions/{function_id}; /health, /ready" + (options.getMetrics().isEnabled() ? ", /metrics" : "")
                  + ", /dashboard/"));
        })
        .onSuccess(v -> readiness.started());
  }

  private Future<Void> deployUserVerticles() {
    Future<Void> chain = Future.succeededFuture();
    for (String className : options.getDeploy()) {
      chain = chain.compose(v -> vertx.deployVerticle(className,
              new DeploymentOptions().setConfig(new JsonObject().put("node", options.toJson())))
          .onSuccess(id -> {
            deployments.push(id);
            LOG.info("deployed verticle " + className);
          })
          .recover(err -> Future.failedFuture(new IllegalStateException(
              "cannot deploy verticle " + className + ": " + err.getMessage(), err)))
          .mapEmpty());
    }
    return chain;
  }

  private Future<Void> deploy(String what, Supplier<io.vertx.core.Deployable> factory, int instances) {
    return vertx.deployVerticle(factory, new DeploymentOptions().setInstances(instances))
        .onSuccess(deployments::push)
        .recover(err -> Future.failedFuture(new IllegalStateException(what + " failed to start: " + err.getMessage(), err)))
        .mapEmpty();
  }

  /** Registers the event-bus codecs the node uses; safe to call more than once per Vert.x. */
  public static void registerCodecs(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new StreamEventCodec());
      vertx.eventBus().registerDefaultCodec(io.streamnode.store.event.Recovery.class,
          new io.streamnode.store.event.Recovery.LocalCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another node in the same Vert.x (tests) registered it first
    }
  }

  /** Undeploys everything in reverse order: listeners, user verticles, store (which flushes), triggers. */
  public Future<Void> close() {
    if (readiness != null) {
      readiness.stopping();
    }
    Future<Void> chain = Future.succeededFuture();
    while (!deployments.isEmpty()) {
      String id = deployments.pop();
      chain = chain.transform(ignored -> vertx.undeploy(id).otherwiseEmpty());
    }
    return readiness == null ? chain : chain.eventually(readiness::close);
  }

  /** This node's id in presence entries: its Hazelcast member uuid in a cluster, else one made at start. */
  public String nodeId() {
    if (nodeId == null) {
      nodeId = member != null ? member.hazelcast().getCluster().getLocalMember().getUuid().toString()
          : java.util.UUID.randomUUID().toString();
    }
    return nodeId;
  }

  /** Subscriptions brought up to date with a fresh sync after events were lost on the way, since start. */
  public long streamSocketResyncs() {
    return streamSockets.stream().mapToLong(StreamSocketVerticle::resyncs).sum();
  }

  /** Subscriptions brought up to date from their group's history (resumes and repaired gaps), since start. */
  public long streamSocketRecoveries() {
    return streamSockets.stream().mapToLong(StreamSocketVerticle::recoveries).sum();
  }

  /** The port the stream socket is bound to. */
  public int streamSocketPort() {
    return streamSocket.actualPort();
  }

  /** The port the worker socket is bound to. */
  public int workerSocketPort() {
    return workerSocket.actualPort();
  }

  /** The port the public worker socket is bound to, or -1 when {@code public_worker_socket.enabled} is false. */
  public int publicWorkerSocketPort() {
    return workerSocket.publicPort();
  }

  /** The port the HTTP API is bound to, or -1 when disabled. */
  public int httpPort() {
    return httpApi == null ? -1 : httpApi.actualPort();
  }

  public NodeOptions options() {
    return options;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The cluster membership, or {@code null} for a single node. */
  public ClusterMember member() {
    return member;
  }
}
