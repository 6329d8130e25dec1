package io.streamnode.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.store.redis.RedisServerProcess;
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
 * Presence with the redis adapter: three node processes that share a (private) Redis and no
 * Hazelcast cluster. {@code streamnode::presence} on any node lists the subscriptions of all
 * three from the Redis hash of the group, an opted-in subscriber hears of the joins made on the
 * other nodes (notices travel on a Redis channel), and once a node is killed with SIGKILL its
 * subscriptions disappear within its heartbeat's TTL (5 s).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RedisPresenceKillTest {

  private static String[] redisArgs(String redisUrl, String name) {
    return new String[] {
        "--adapter.name=redis",
        "--adapter.config.redis_url=" + redisUrl,
        "--adapter.config.channel=streamnode::test::" + name,
        // Three JVMs starting at once on a loaded 2-core machine: the first connect may take a while.
        "--adapter.config.command_timeout_ms=10000",
        "--presence.notice_interval_ms=200"
    };
  }

  @Test
  void presenceIsExactAcrossThreeMembersAndForgetsAKilledMembersSubscriptions(@TempDir Path dir) throws Exception {
    RedisServerProcess redis = RedisServerProcess.start();
    String name = "presence-" + UUID.randomUUID();
    List<NodeProcess> nodes = new ArrayList<>();
    Vertx clients = Vertx.vertx();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(NodeProcess.start(dir, redisArgs(redis.url(), name)));
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
      System.out.printf("presence (redis) forgot the killed node's subscription %d ms after kill -9%n",
          System.currentTimeMillis() - killedAt);
    } finally {
      clients.close().await(10, TimeUnit.SECONDS);
      for (NodeProcess n : nodes) {
        n.close();
      }
      redis.kill();
    }
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
