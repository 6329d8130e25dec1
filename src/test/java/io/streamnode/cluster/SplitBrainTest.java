package io.streamnode.cluster;

import com.hazelcast.cluster.Address;
import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.FreePorts;
import io.streamnode.testing.HttpFunctions;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Bounded.await;
import static io.streamnode.testing.Bounded.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-member cluster split 2 | 1: the lone member, cut off from the majority, acknowledges no
 * write (split-brain protection: writes need 2 members, the default for a three-member list), the
 * majority goes on, and once the network heals and Hazelcast merges the lone member back, every
 * acknowledged write, made through any member before, during or after the split, is there.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SplitBrainTest {

  private static final int GROUPS = 20;
  private static final String STREAM = "split";
  private final List<ClusterMember> members = new ArrayList<>();
  private final List<StreamNode> nodes = new ArrayList<>();
  private final List<Firewall> firewalls = new ArrayList<>();
  private final List<HttpFunctions> http = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ClusterMember m = members.get(i);
      try {
        await(nodes.get(i).close().eventually(m::leave), 30);
      } catch (AssertionError ignored) {
        // best effort
      }
    }
  }

  private static Address address(ClusterMember m) {
    return m.hazelcast().getCluster().getLocalMember().getAddress();
  }

  private static int size(ClusterMember m) {
    return m.hazelcast().getCluster().getMembers().size();
  }

  /** One set through member {@code via}; true when acknowledged. Bounded well below the call timeout. */
  private boolean set(int via, int value) {
    try {
      await(http.get(via).call("stream::set", new JsonObject().put("stream_name", STREAM)
          .put("group_id", "g" + (value % GROUPS)).put("item_id", "i" + value).put("data", value)), 40);
      return true;
    } catch (AssertionError refused) {
      return false;
    }
  }

  @Test
  void theMinorityAcknowledgesNoWriteAndAfterHealingEveryAcknowledgedWriteIsThere() {
    List<Integer> ports = List.of(FreePorts.listenPort(), FreePorts.listenPort(), FreePorts.listenPort());
    String name = "split-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      NodeOptions options = ThreeMembers.options(name, ports, i);
      options.getLimits().setCallTimeoutMs(20_000);
      Firewall firewall = new Firewall();
      ClusterMember member = await(ClusterMember.join(options, new VertxOptions(), firewall.members()), 60);
      members.add(member);
      firewalls.add(firewall);
      StreamNode node = await(StreamNode.start(member, options), 60);
      nodes.add(node);
      http.add(HttpFunctions.create(member.vertx(), node.httpPort(), 4));
    }
    ClusterMember a = members.get(0);
    ClusterMember lone = members.get(2);
    until(60, () -> size(a) == 3 && a.hazelcast().getPartitionService().isClusterSafe(), () -> "cluster not formed");

    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    int value = 0;
    for (; value < 60; value++) {
      assertTrue(set(value % 3, value), "write " + value + " before the split");
      acked.add(value);
    }

    // Cut the lone member off: it blocks both others, they block it.
    firewalls.get(2).block(address(members.get(0)));
    firewalls.get(2).block(address(members.get(1)));
    firewalls.get(0).block(address(lone));
    firewalls.get(1).block(address(lone));
    long cut = System.nanoTime();

    // Writes through every member while the split is noticed and after: whatever is acknowledged
    // (through the majority; through the lone member, only what it forwarded to a majority owner
    // over the event bus, which is not cut, before it noticed) must survive the healing.
    int throughLoneAcked = 0;
    int throughLoneRefused = 0;
    while (!(size(lone) == 1 && size(a) == 2)) {
      assertTrue(System.nanoTime() - cut < TimeUnit.SECONDS.toNanos(60), "the split was not noticed in 60 s");
      for (int via = 0; via < 3; via++, value++) {
        if (set(via, value)) {
          acked.add(value);
          throughLoneAcked += via == 2 ? 1 : 0;
        } else {
          throughLoneRefused += via == 2 ? 1 : 0;
        }
      }
    }
    long noticed = System.nanoTime();
    // Split: the lone member refuses every write; the majority acknowledges every one.
    int refusedAlone = 0;
    for (int i = 0; i < 3 * GROUPS; i++, value++) {
      int via = i % 3;
      boolean ok = set(via, value);
      if (via == 2) {
        assertTrue(!ok, "the lone member acknowledged write " + value + " (group g" + (value % GROUPS) + ")");
        refusedAlone++;
      } else {
        assertTrue(ok, "the majority refused write " + value);
        acked.add(value);
      }
    }

    // Heal: Hazelcast finds the other side and merges the lone member into the majority.
    firewalls.forEach(Firewall::unblockAll);
    long healed = System.nanoTime();
    until(90, () -> size(a) == 3 && size(lone) == 3 && a.hazelcast().getPartitionService().isClusterSafe(),
        () -> "not merged again: " + size(a) + " / " + size(lone) + " members");
    long merged = System.nanoTime();

    // Every acknowledged write is there, read through every member (the lone one included).
    for (int via = 0; via < 3; via++) {
      List<Object> seen = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        int member = via;
        int group = g;
        JsonArray listed = (JsonArray) await(retrying(() -> http.get(member).call("stream::list",
            new JsonObject().put("stream_name", STREAM).put("group_id", "g" + group))), 60);
        seen.addAll(listed.getList());
      }
      List<Integer> missing = acked.stream().filter(v -> !seen.contains(v)).sorted().toList();
      assertEquals(List.of(), missing, "acknowledged writes missing after healing, read through member " + via);
    }
    // And the healed member serves writes again.
    for (int g = 0; g < GROUPS; g++, value++) {
      int v = value;
      await(retrying(() -> http.get(2).call("stream::set", new JsonObject().put("stream_name", STREAM)
          .put("group_id", "g" + (v % GROUPS)).put("item_id", "i" + v).put("data", v))), 60);
    }
    System.out.printf("split brain: split noticed after %d ms, merged %d ms after healing; %d writes acknowledged,"
            + " through the lone member %d before it noticed (%d refused), %d refused while alone%n",
        (noticed - cut) / 1_000_000, (merged - healed) / 1_000_000, acked.size(), throughLoneAcked,
        throughLoneRefused, refusedAlone);
  }

  /** A call retried for a while: right after a merge, a member may still be settling its partitions. */
  private <T> Future<T> retrying(java.util.function.Supplier<Future<T>> call) {
    return retrying(call, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
  }

  private <T> Future<T> retrying(java.util.function.Supplier<Future<T>> call, long deadline) {
    return call.get().recover(err -> System.nanoTime() > deadline ? Future.failedFuture(err)
        : Future.<Void>future(p -> members.get(0).vertx().setTimer(200, t -> p.complete()))
            .compose(v -> retrying(call, deadline)));
  }
}
