package io.streamnode.cluster;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.FreePorts;
import io.streamnode.testing.GroupView;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Bounded.await;
import static io.streamnode.testing.Bounded.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group's order survives its ownership moving A → B → A: the position lives with the group's
 * data, so whichever member owns the group numbers its next event right after the last one, and a
 * subscriber keeps receiving every event, in offset order, whenever it joined. (Before positions,
 * a subscriber that joined while B owned a group got none of its later events once A owned it again.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OwnershipMoveTest {

  private static final int GROUPS = 30;
  private final List<ClusterMember> members = new ArrayList<>();
  private final List<StreamNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ClusterMember m = members.get(i);
      try {
        await(nodes.get(i).close().eventually(m::leave), 30);
      } catch (AssertionError ignored) {
        // already stopped by the test
      }
    }
  }

  private StreamNode start(NodeOptions options) {
    ClusterMember member = await(ClusterMember.join(options, new VertxOptions()), 60);
    members.add(member);
    StreamNode node = await(StreamNode.start(member, options), 60);
    nodes.add(node);
    return node;
  }

  private static void clusterSafe(ClusterMember member) {
    until(60, () -> member.hazelcast().getPartitionService().isClusterSafe(), () -> "partitions still migrating");
  }

  private static TestSocket subscribeAll(ClusterMember member, StreamNode node) {
    TestSocket socket = await(TestSocket.connect(member.vertx(), node.streamSocketPort()), 10);
    for (int g = 0; g < GROUPS; g++) {
      JsonObject join = TestSocket.command("join", "s" + g, "moves", "g" + g, null);
      join.getJsonObject("data").put("positions", true);
      await(socket.send(join), 10);
    }
    await(socket.frames(GROUPS), 20); // one sync each
    return socket;
  }

  private static void writeRound(List<HttpFunctions> through, int round) {
    List<Future<Object>> calls = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      HttpFunctions http = through.get(g % through.size());
      calls.add(http.call("stream::set", new JsonObject().put("stream_name", "moves").put("group_id", "g" + g)
          .put("item_id", "x").put("data", round * 1000 + g)));
      calls.add(http.call("stream::send", new JsonObject().put("stream_name", "moves").put("group_id", "g" + g)
          .put("type", "ping").put("data", round * 1000 + g)));
    }
    await(Future.all(calls), 30);
  }

  @Test
  void everyLaterEventReachesEverySubscriberInOffsetOrderWhenOwnershipMovesAwayAndBack() {
    List<Integer> ports = List.of(FreePorts.listenPort(), FreePorts.listenPort());
    String name = "moves-" + UUID.randomUUID();
    ClusterMember a;
    StreamNode nodeA = start(ThreeMembers.options(name, ports, 0));
    a = members.get(0);
    HttpFunctions httpA = HttpFunctions.create(a.vertx(), nodeA.httpPort(), 4);
    TestSocket before = subscribeAll(a, nodeA);
    writeRound(List.of(httpA), 1);

    StreamNode nodeB = start(ThreeMembers.options(name, ports, 1));
    ClusterMember b = members.get(1);
    clusterSafe(a);
    int moved = 0;
    for (int g = 0; g < GROUPS; g++) {
      if (!a.hazelcast().getPartitionService().getPartition(HazelcastStorage.key("moves", "g" + g)).getOwner().localMember()) {
        moved++;
      }
    }
    int ownedByB = moved;
    assertTrue(ownedByB > 0, "B owns some of the groups, else nothing moved");
    TestSocket whileB = subscribeAll(a, nodeA);
    TestSocket onB = subscribeAll(b, nodeB);
    HttpFunctions httpB = HttpFunctions.create(b.vertx(), nodeB.httpPort(), 4);
    writeRound(List.of(httpA, httpB), 2);

    // B leaves: its groups move back to A, which continues each one right after B's last event.
    await(nodeB.close().eventually(b::leave), 30);
    nodes.remove(1);
    members.remove(1);
    clusterSafe(a);
    writeRound(List.of(httpA), 3);
    writeRound(List.of(httpA), 4);

    for (TestSocket socket : List.of(before, whileB)) {
      until(20, () -> {
        List<JsonObject> frames = socket.received();
        for (int g = 0; g < GROUPS; g++) {
          if (!Integer.valueOf(4000 + g).equals(GroupView.of(frames, "moves", "g" + g).item("x"))) {
            return false;
          }
        }
        return true;
      }, () -> "the last round did not reach a subscriber on A (" + ownedByB + " groups had moved to B)");
      for (int g = 0; g < GROUPS; g++) {
        GroupView view = GroupView.of(socket.received(), "moves", "g" + g);
        assertEquals(List.of(), view.violations(), "g" + g + " offsets");
        assertEquals(1, view.syncs(), "g" + g + ": no resync was needed: " + view.history());
      }
    }
    GroupView first = GroupView.of(before.received(), "moves", "g0");
    assertEquals(List.of(1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000), first.history(),
        "every event after the join, in order");
    assertEquals(List.of(2000, 2000, 3000, 3000, 4000, 4000), GroupView.of(whileB.received(), "moves", "g0").history(),
        "every event after the join, in order");
    for (int g = 0; g < GROUPS; g++) {
      GroupView view = GroupView.of(onB.received(), "moves", "g" + g);
      assertEquals(List.of(2000 + g, 2000 + g), view.history(), "B's subscriber, g" + g);
    }
  }
}
