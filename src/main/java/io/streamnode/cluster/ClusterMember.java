package io.streamnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.streamnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
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

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;

  private ClusterMember(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  /**
   * Joins (or forms) the cluster described by {@code options.cluster_config} with the node's
   * overrides ({@code cluster_name}, {@code cluster_port}, {@code cluster_host},
   * {@code cluster_members}). Hazelcast's join blocks, so it runs on its own thread.
   */
  public static Future<ClusterMember> join(NodeOptions options, VertxOptions vertxOptions) {
    Path configFile = Path.of(options.getClusterConfig());
    int port = options.getClusterPort();
    List<String> members = options.getClusterMembers();
    String host = options.getClusterHost();
    String name = options.getClusterName();
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
      // Vert.x's cluster manager, handed an instance it did not create, reads its node id here.
      config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", UUID.randomUUID().toString());
      LOG.info("cluster: joining as " + config.getClusterName() + " member (config " + configFile + ")");
      return Hazelcast.newHazelcastInstance(config);
    });
    return Future.fromCompletionStage(started).compose(hz -> {
      LOG.info("cluster: member " + hz.getCluster().getLocalMember().getAddress() + ", "
          + hz.getCluster().getMembers().size() + " member(s) in the cluster");
      return Vertx.builder().with(vertxOptions).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
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
