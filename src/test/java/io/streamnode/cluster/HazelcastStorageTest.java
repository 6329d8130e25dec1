package io.streamnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.kv.StreamStorageContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.UUID;

/**
 * The storage contract against the cluster-mode kv adapter, on one real Hazelcast member (a
 * cluster of its own, no network join). Each case gets a fresh map name's worth of keys by
 * clearing the map first.
 */
class HazelcastStorageTest extends StreamStorageContract {

  private static HazelcastInstance hazelcast;

  @BeforeAll
  static void startMember() {
    Config config = new Config().setClusterName("contract-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().setPort(io.streamnode.testing.FreePorts.listenPort()).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getMapConfig(HazelcastStorage.MAP_NAME).setInMemoryFormat(com.hazelcast.config.InMemoryFormat.OBJECT);
    hazelcast = Hazelcast.newHazelcastInstance(config);
  }

  @AfterAll
  static void stopMember() {
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
  }

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx, HistoryOptions history) {
    HazelcastStorage storage = new HazelcastStorage(vertx, hazelcast, history);
    return vertx.executeBlocking(() -> {
      hazelcast.getMap(HazelcastStorage.MAP_NAME).clear();
      return null;
    }).compose(v -> storage.open()).map(storage);
  }
}
