package io.streamnode.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.PartitionService;
import io.streamnode.store.GroupOwnership;

/**
 * Group ownership from Hazelcast partitions: a group's owner is the member that owns the
 * partition of its key in {@link HazelcastStorage#MAP_NAME}, i.e. the member holding its primary
 * data. Node ids are Hazelcast member UUIDs, which Vert.x also uses as its cluster node ids.
 */
public final class PartitionOwnership implements GroupOwnership {

  private final PartitionService partitions;
  private final com.hazelcast.cluster.Cluster cluster;
  private final String localNode;

  public PartitionOwnership(HazelcastInstance hazelcast) {
    this.partitions = hazelcast.getPartitionService();
    this.cluster = hazelcast.getCluster();
    this.localNode = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  @Override
  public String localNode() {
    return localNode;
  }

  @Override
  public boolean present(String node) {
    for (Member m : cluster.getMembers()) {
      if (m.getUuid().toString().equals(node)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String owner(String stream, String group) {
    Member owner = partitions.getPartition(HazelcastStorage.key(stream, group)).getOwner();
    // No owner only while the cluster is (re)forming: apply here, the data map decides anyway.
    return owner == null ? localNode : owner.getUuid().toString();
  }
}
