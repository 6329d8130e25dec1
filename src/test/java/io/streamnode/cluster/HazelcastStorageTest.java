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

  @org.junit.jupiter.api.Test
  void aCallSentAgainAfterAFailoverIsAnsweredAsBeforeNotAppliedTwice(Vertx vertx,
                                                                    io.vertx.junit5.VertxTestContext test) {
    io.streamnode.store.event.EventDraft first = io.streamnode.store.event.EventDraft.upsert("s", "g", "n",
        System.currentTimeMillis(), io.vertx.core.buffer.Buffer.buffer("1")).withCallId("call-1");
    io.streamnode.store.event.EventDraft other = io.streamnode.store.event.EventDraft.upsert("s", "g", "n",
        System.currentTimeMillis(), io.vertx.core.buffer.Buffer.buffer("2")).withCallId("call-2");
    // The call's second attempt computed another value (an update re-read what the first stored).
    io.streamnode.store.event.EventDraft again = io.streamnode.store.event.EventDraft.upsert("s", "g", "n",
        System.currentTimeMillis() + 1000, io.vertx.core.buffer.Buffer.buffer("3")).withCallId("call-2");
    onContext(() -> storage.set("s", "g", "n", 1, first)
        .compose(w1 -> storage.set("s", "g", "n", 2, other)
            .compose(w2 -> storage.set("s", "g", "n", 3, again)
                .compose(w3 -> storage.get("s", "g", "n").compose(value -> storage.position("s", "g").map(now -> {
                  test.verify(() -> {
                    org.junit.jupiter.api.Assertions.assertFalse(w2.replayed());
                    org.junit.jupiter.api.Assertions.assertTrue(w3.replayed(), "the second attempt is a replay");
                    org.junit.jupiter.api.Assertions.assertEquals(w2.event().position(), w3.event().position());
                    org.junit.jupiter.api.Assertions.assertEquals(w2.event().frame(), w3.event().frame(),
                        "the event of what was stored then");
                    org.junit.jupiter.api.Assertions.assertEquals(1, w3.old(), "the old value as it was then");
                    org.junit.jupiter.api.Assertions.assertEquals(2, w3.value());
                    org.junit.jupiter.api.Assertions.assertEquals(2, value, "applied once");
                    org.junit.jupiter.api.Assertions.assertEquals(w2.event().position(), now, "no new event");
                  });
                  return null;
                }))))))
        .onComplete(test.succeedingThenComplete());
  }

  @org.junit.jupiter.api.Test
  void anUpdateComputedFromAPositionTheGroupHasLeftWritesNothing(Vertx vertx, io.vertx.junit5.VertxTestContext test) {
    // Two members that both take themselves for the owner (a partition moving) read the same counter.
    io.streamnode.store.CompareAndSetStorage cas = (io.streamnode.store.CompareAndSetStorage) storage;
    onContext(() -> storage.set("s", "g", "n", 1).compose(v -> cas.read("s", "g", "n").compose(readByA ->
        cas.read("s", "g", "n").compose(readByB ->
            cas.replace("s", "g", "n", readByA, 2, io.streamnode.store.event.EventDraft.upsert("s", "g", "n",
                System.currentTimeMillis(), io.vertx.core.buffer.Buffer.buffer("2")))
            .compose(byA -> cas.replace("s", "g", "n", readByB, 2, io.streamnode.store.event.EventDraft.upsert("s", "g",
                "n", System.currentTimeMillis(), io.vertx.core.buffer.Buffer.buffer("2")))
            .compose(byB -> storage.position("s", "g").map(now -> {
              test.verify(() -> {
                org.junit.jupiter.api.Assertions.assertNotNull(byA, "the first compare-and-set applies");
                org.junit.jupiter.api.Assertions.assertNull(byB, "the second was computed from a stale read");
                org.junit.jupiter.api.Assertions.assertEquals(2, now.offset(), "one event per applied write");
              });
              return null;
            })))))))
        .onComplete(test.succeedingThenComplete());
  }
}
