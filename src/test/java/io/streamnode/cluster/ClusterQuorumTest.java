package io.streamnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code cluster_quorum} becomes Hazelcast split-brain protection of the groups map: by default a
 * majority of a member list of three or more, none for a shorter list, so that a single node and
 * a two-node cluster keep writing.
 */
class ClusterQuorumTest {

  private static Config members(String... members) {
    Config config = new Config();
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of(members));
    return config;
  }

  private static Integer quorumOf(Config config) {
    String name = config.getMapConfig(HazelcastStorage.MAP_NAME).getSplitBrainProtectionName();
    if (name == null) {
      return null;
    }
    SplitBrainProtectionConfig protection = config.getSplitBrainProtectionConfig(name);
    return protection.getMinimumClusterSize();
  }

  @Test
  void byDefaultWritesNeedAMajorityOfAListOfThreeOrMoreMembers() {
    for (int listed = 1; listed <= 5; listed++) {
      String[] list = new String[listed];
      for (int i = 0; i < listed; i++) {
        list[i] = "10.0.0." + (i + 1);
      }
      Config config = members(list);
      ClusterMember.protectData(config, 0);
      assertEquals(listed >= 3 ? Integer.valueOf(listed / 2 + 1) : null, quorumOf(config), listed + " members listed");
    }
  }

  @Test
  void theShippedLoopbackListMeansNoQuorumSoALoneNodeWrites() {
    Config config = members("127.0.0.1");
    ClusterMember.protectData(config, 0);
    assertNull(quorumOf(config));
    assertNull(config.getProperty(ClusterMember.FAIL_ON_INDETERMINATE));
  }

  @Test
  void anExplicitQuorumWinsAndBringsItsCompanions() {
    Config config = members("127.0.0.1");
    ClusterMember.protectData(config, 2);
    assertEquals(2, quorumOf(config));
    assertEquals("true", config.getProperty(ClusterMember.FAIL_ON_INDETERMINATE));
    assertEquals(DiscardMergePolicy.class.getName(),
        config.getMapConfig(HazelcastStorage.MAP_NAME).getMergePolicyConfig().getPolicy());

    Config off = members("a", "b", "c");
    ClusterMember.protectData(off, 1);
    assertNull(quorumOf(off), "1 turns protection off");
  }

  @Test
  void aProtectionSetInClusterXmlIsKeptUnlessTheOptionIsSet() {
    Config config = members("a", "b", "c");
    config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig("mine", true, 3));
    config.getMapConfig(HazelcastStorage.MAP_NAME).setSplitBrainProtectionName("mine");
    ClusterMember.protectData(config, 0);
    assertEquals(3, quorumOf(config));
    ClusterMember.protectData(config, 2);
    assertEquals(2, quorumOf(config));
  }
}
