package io.streamnode.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.testing.FreePorts;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence across three cluster members, each a separate process: {@code streamnode::presence}
 * on any member lists exactly the subscriptions of all three (one per member, each with its
 * member's node id), an opted-in subscriber hears of the joins made on the other members, and
 * once a member is killed with SIGKILL its subscriptions disappear from every survivor's answer
 * within Hazelcast's failure detection (cluster.xml: 5 s without heartbeat). {@code
 * streamnode::members} lists the same three nodes, and two once the killed one's line expires.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PresenceKillTest {

  private static String[] clusterArgs(String name, List<Integer> ports, int index) {
    return new String[] {
        "--cluster",
        "--cluster_config=" + Path.of("cluster.xml").toAbsolutePath(),
        "--cluster_name=" + name,
        "--cluster_port=" + ports.get(index),
        "--cluster_members=" + String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList()),
        "--presence.notice_interval_ms=200"
    };
  }

  @Test
  void presenceIsExactAcrossThreeMembersAndForgetsAKilledMembersSubscriptions(@TempDir Path dir) throws Exception {
    List<Integer> ports = List.of(FreePorts.listenPort(), FreePorts.listenPort(), FreePorts.listenPort());
    String name = "presence-" + UUID.randomUUID();
    List<NodeProcess> nodes = new ArrayList<>();
    Vertx clients = Vertx.vertx();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(NodeProcess.start(dir, clusterArgs(name, ports, i)));
      }
      for (NodeProcess n : nodes) {
        n.awaitReady();
      }
      List<TestSocket> sockets = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        TestSocket s = TestSocket.connect(clients, nodes.get(i).wsPort).await(10, TimeUnit.SECONDS);
        JsonObject join = TestSocket.command("join", "s" + i, "room", "lobby", null);
        join.getJsonObject("data").put("presence", i == 0);
        s.send(join).await(5, TimeUnit.SECONDS);
        s.frame(0).await(10, TimeUnit.SECONDS);
        sockets.add(s);
      }

      // Exact on every member: three subscriptions from three distinct nodes.
      JsonObject full = null;
      for (NodeProcess n : nodes) {
        full = awaitCount(n, 3, 60_000);
      }
      Set<String> nodeIds = new HashSet<>();
      String killedNode = null;
      for (Object o : full.getJsonArray("subscriptions")) {
        JsonObject e = (JsonObject) o;
        nodeIds.add(e.getString("node"));
        if ("s2".equals(e.getString("subscription_id"))) {
          killedNode = e.getString("node");
        }
      }
      assertEquals(3, nodeIds.size(), full.encode());
      // streamnode::members (the dashboard's member list) knows the same three nodes.
      assertEquals(nodeIds, memberIds(awaitMembers(nodes.get(0), 3, 30_000)));

      // The opted-in subscriber on member 0 heard of the joins made on members 1 and 2.
      Set<String> heard = new HashSet<>();
      long deadline = System.currentTimeMillis() + 30_000; // bounds are generous: a loaded machine is slow, not wrong
      while (!heard.containsAll(Set.of("s1", "s2")) && System.currentTimeMillis() < deadline) {
        for (JsonObject f : sockets.get(0).received()) {
          JsonObject ev = f.getJsonObject("event");
          if ("event".equals(ev.getString("type")) && "streamnode:presence".equals(ev.getJsonObject("event").getString("type"))) {
            ev.getJsonObject("event").getJsonObject("data").getJsonArray("joined")
                .forEach(j -> heard.add(((JsonObject) j).getString("subscription_id")));
          }
        }
        Thread.sleep(100);
      }
      assertTrue(heard.containsAll(Set.of("s1", "s2")), "notices heard on member 0: " + heard);
      assertTrue(sockets.get(1).received().size() == 1, "a join without presence gets no notice: " + sockets.get(1).received());

      long killedAt = System.currentTimeMillis();
      nodes.get(2).process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
      for (int i = 0; i < 2; i++) {
        JsonObject after = awaitCount(nodes.get(i), 2, 60_000);
        for (Object o : after.getJsonArray("subscriptions")) {
          assertFalse(killedNode.equals(((JsonObject) o).getString("node")), after.encode());
        }
      }
      long forgotMs = System.currentTimeMillis() - killedAt;
      // The killed member's line expires from streamnode::members too (its 6 s TTL).
      JsonObject members = awaitMembers(nodes.get(0), 2, 60_000);
      assertFalse(memberIds(members).contains(killedNode), members.encode());
      System.out.printf("presence forgot the killed member's subscription %d ms after kill -9; members forgot it %d ms after%n",
          forgotMs, System.currentTimeMillis() - killedAt);
    } finally {
      clients.close().await(10, TimeUnit.SECONDS);
      for (NodeProcess n : nodes) {
        n.close();
      }
    }
  }

  private static Set<String> memberIds(JsonObject members) {
    Set<String> ids = new HashSet<>();
    members.getJsonArray("members").forEach(m -> ids.add(((JsonObject) m).getString("node")));
    return ids;
  }

  private static JsonObject awaitMembers(NodeProcess node, int count, long ms) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = node.call("streamnode::members", "{}");
      last = r.statusCode() + " " + r.body();
      if (r.statusCode() == 200 && new JsonObject(r.body()).getInteger("count") == count) {
        return new JsonObject(r.body());
      }
      Thread.sleep(200);
    }
    throw new AssertionError("streamnode::members did not reach " + count + " within " + ms + " ms; last: " + last);
  }

  private static JsonObject awaitCount(NodeProcess node, int count, long ms) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = node.call("streamnode::presence", "{\"stream_name\":\"room\",\"group_id\":\"lobby\"}");
      last = r.statusCode() + " " + r.body();
      if (r.statusCode() == 200) {
        JsonObject body = new JsonObject(r.body());
        if (body.getInteger("count") == count) {
          return body;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("presence did not reach " + count + " within " + ms + " ms; last: " + last);
  }
}
