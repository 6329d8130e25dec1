package io.streamnode.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.PartitionService;
import io.streamnode.store.GroupOwnership;

/**
 * Group ownership from Hazelcast partitions: a group's owner is the member that owns the
 * partition of its key in {@link HazelcastStorage#MAP_NAME}, i.e. the member holding its primary
 * data. Node ids are the members' Vert.x node ids (the member attribute {@value ClusterMember#NODE_ID}),
 * not Hazelcast member UUIDs: a member merged back after a network split gets a new UUID, and
 * its store would then never again be found at the address other nodes forward its groups to.
 */
public final class PartitionOwnership implements GroupOwnership {

  private final PartitionService partitions;
  private final com.hazelcast.cluster.Cluster cluster;
  private final String localNode;

  public PartitionOwnership(HazelcastInstance hazelcast) {
    this.partitions = hazelcast.getPartitionService();
    this.cluster = hazelcast.getCluster();
    this.localNode = nodeOf(hazelcast.getCluster().getLocalMember());
  }

  @Override
  public String localNode() {
    return localNode;
  }

  @Override
  public boolean present(String node) {
    for (Member m : cluster.getMembers()) {
      if (nodeOf(m).equals(node)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String owner(String stream, String group) {
    Member owner = partitions.getPartition(HazelcastStorage.key(stream, group)).getOwner();
    // No owner only while the cluster is (re)forming: apply here, the data map decides anyway.
    return owner == null ? localNode : nodeOf(owner);
  }

  private static String nodeOf(Member member) {
    String id = member.getAttribute(ClusterMember.NODE_ID);
    return id != null ? id : member.getUuid().toString();
  }
}
