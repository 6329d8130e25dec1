package io.streamnode.cluster;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Three cluster members in this JVM, each a Hazelcast member plus a clustered Vert.x running a
 * node, joined over loopback on free ports under a cluster name of their own.
 */
final class ThreeMembers {

  final List<ClusterMember> members = new ArrayList<>();
  final List<StreamNode> nodes = new ArrayList<>();

  static NodeOptions options(String clusterName, List<Integer> ports, int index) {
    NodeOptions o = new NodeOptions().setCluster(true).setClusterName(clusterName)
        .setClusterPort(ports.get(index))
        .setClusterMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    o.getStreamSocket().setPort(0);
    o.getHttpApi().setPort(0);
    o.getWorkerSocket().setPort(0);
    return o;
  }

  static Future<ThreeMembers> start(int count) {
    return start(count, o -> { });
  }

  /** Starts {@code count} members with {@code tweak} applied to each one's options. */
  static Future<ThreeMembers> start(int count, java.util.function.Consumer<NodeOptions> tweak) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(FreePorts.listenPort());
    }
    String name = "test-" + UUID.randomUUID();
    ThreeMembers cluster = new ThreeMembers();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      NodeOptions o = options(name, ports, i);
      tweak.accept(o);
      chain = chain.compose(v -> ClusterMember.join(o, new VertxOptions()))
          .compose(member -> {
            cluster.members.add(member);
            return StreamNode.start(member, o);
          })
          .map(node -> {
            cluster.nodes.add(node);
            return null;
          });
    }
    return chain.map(cluster);
  }

  StreamNode node(int i) {
    return nodes.get(i);
  }

  Future<Void> stop() {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      ClusterMember m = members.get(i);
      done.add(nodes.get(i).close().eventually(m::leave));
    }
    return Future.join(done).mapEmpty();
  }
}
