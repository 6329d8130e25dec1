package io.streamnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.streamnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.streamnode.metrics.NodeMetrics;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * This process as a member of a streamnode cluster: a Hazelcast member configured by
 * {@code cluster.xml} (with the node's overrides), and a clustered Vert.x on top of it whose
 * event bus carries group broadcasts and function calls between nodes.
 */
public final class ClusterMember {

  private static final Logger LOG = Logger.getLogger(ClusterMember.class.getName());

  /** Member attribute holding the node's id: Vert.x's cluster node id, and the id groups are owned by; kept across a merge. */
  static final String NODE_ID = "__vertx.nodeId";

  /** The split-brain protection of the data map made from {@code cluster_quorum}. */
  static final String QUORUM_NAME = "streamnode-quorum";
  /** Hazelcast's property: fail an operation whose backups were not acknowledged in time, rather than succeed. */
  static final String FAIL_ON_INDETERMINATE = "hazelcast.operation.fail.on.indeterminate.state";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;

  private ClusterMember(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  /**
   * Joins (or forms) the cluster described by {@code options.cluster_config} with the node's
   * overrides ({@code cluster_name}, {@code cluster_port}, {@code cluster_host},
   * {@code cluster_members}, {@code cluster_quorum}). Hazelcast's join blocks, so it runs on its own thread.
   */
  public static Future<ClusterMember> join(NodeOptions options, VertxOptions vertxOptions) {
    return join(options, vertxOptions, Hazelcast::newHazelcastInstance);
  }

  /** As {@link #join(NodeOptions, VertxOptions)}, with the member made by {@code start} (tests cut its network). */
  static Future<ClusterMember> join(NodeOptions options, VertxOptions vertxOptions,
                                    java.util.function.Function<Config, HazelcastInstance> start) {
    Path configFile = Path.of(options.getClusterConfig());
    int port = options.getClusterPort();
    List<String> members = options.getClusterMembers();
    String host = options.getClusterHost();
    String name = options.getClusterName();
    int quorum = options.getClusterQuorum();
    CompletableFuture<HazelcastInstance> started = CompletableFuture.supplyAsync(() -> {
      Config config = load(configFile);
      if (name != null && !name.isEmpty()) {
        config.setClusterName(name);
      }
      if (port > 0) {
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
      }
      if (!members.isEmpty()) {
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
      }
      if (host != null && !host.isEmpty()) {
        config.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(host));
      }
      ensureDataMap(config);
      protectData(config, quorum);
      // Vert.x's cluster manager, handed an instance it did not create, reads its node id here.
      config.getMemberAttributeConfig().setAttribute(NODE_ID, UUID.randomUUID().toString());
      LOG.info("cluster: joining as " + config.getClusterName() + " member (config " + configFile + ")");
      return start.apply(config);
    });
    return Future.fromCompletionStage(started).compose(hz -> {
      LOG.info("cluster: member " + hz.getCluster().getLocalMember().getAddress() + ", "
          + hz.getCluster().getMembers().size() + " member(s) in the cluster");
      return NodeMetrics.vertxBuilder(vertxOptions, options.getMetrics()).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
          .map(vertx -> new ClusterMember(vertx, hz))
          .onFailure(err -> hz.shutdown());
    });
  }

  private static Config load(Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("cluster_config: " + file + " does not exist");
    }
    try {
      return new FileSystemXmlConfig(file.toFile());
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("cluster_config: cannot read " + file, e);
    }
  }

  /** The data map needs a backup (no loss with one member gone) and object format (in-place entry processors). */
  private static void ensureDataMap(Config config) {
    MapConfig map = config.getMapConfig(HazelcastStorage.MAP_NAME);
    if (map.getBackupCount() < 1) {
      map.setBackupCount(1);
    }
    map.setInMemoryFormat(InMemoryFormat.OBJECT);
    config.addMapConfig(map);
  }

  /**
   * Split-brain protection of the data map: a member applies a write only while it sees at least
   * {@code quorum} members ({@code cluster_quorum}; 0 = a majority of the TCP/IP member list when
   * it names three or more, else none), so of the two sides of a network split only the majority
   * acknowledges writes. Two more settings close the gaps around it:
   * <ul>
   *   <li>fail an operation whose synchronous backup was not acknowledged (Hazelcast otherwise
   *       reports success after the backup timeout): a lone member that has not yet noticed the
   *       split applies a write on its primary, its backup on the far side never answers, and
   *       the write must not be acknowledged, as the majority's copy will not have it;</li>
   *   <li>on healing, the side that merges in (the smaller, so the minority) has its copy of the
   *       data discarded: it acknowledged nothing the majority lacks, and its stale entries (a group
   *       emptied and expired on the majority meanwhile) must not come back.</li>
   * </ul>
   * A split-brain-protection-ref already on the map in cluster.xml is kept when the option is 0.
   */
  static void protectData(Config config, int configured) {
    MapConfig map = config.getMapConfig(HazelcastStorage.MAP_NAME);
    if (configured == 0 && map.getSplitBrainProtectionName() != null) {
      return;
    }
    int quorum = configured > 0 ? configured : autoQuorum(config);
    if (quorum <= 1) {
      map.setSplitBrainProtectionName(null);
      return;
    }
    config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM_NAME, true, quorum)
        .setProtectOn(SplitBrainProtectionOn.WRITE));
    map.setSplitBrainProtectionName(QUORUM_NAME);
    map.getMergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName());
    if (config.getProperty(FAIL_ON_INDETERMINATE) == null) {
      config.setProperty(FAIL_ON_INDETERMINATE, "true");
    }
    LOG.info("cluster: writes need " + quorum + " members in sight (cluster_quorum)");
  }

  /**
   * A majority of the members the TCP/IP member list names, when it names three or more: the
   * list is the cluster the operator means to run. With one or two listed (or a port range on one
   * host, as the shipped cluster.xml), no quorum: a lone member keeps working, and a two-member
   * cluster keeps working with one member lost (a majority of two would be both).
   */
  static int autoQuorum(Config config) {
    int listed = (int) config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers().stream()
        .map(String::trim).filter(m -> !m.isEmpty()).distinct().count();
    return listed >= 3 ? listed / 2 + 1 : 1;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /**
   * Calls {@code listener} (on a Vert.x context) when a member joins or leaves, right away and
   * again once partitions have had time to migrate: events published while membership changes may
   * not reach every subscribing member, and no later event may come to show the gap.
   */
  public void onMembershipChange(Runnable listener) {
    hazelcast.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
      @Override
      public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
        changed();
      }

      @Override
      public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
        changed();
      }

      private void changed() {
        vertx.runOnContext(v -> listener.run());
        vertx.setTimer(2_000, t -> listener.run());
        vertx.setTimer(8_000, t -> listener.run());
      }
    });
  }

  /** Leaves the cluster: closes Vert.x (which leaves the event bus), then stops the member. */
  public Future<Void> leave() {
    return vertx.close().eventually(() -> {
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(hazelcast::shutdown);
      return Future.fromCompletionStage(stopped);
    });
  }
}
