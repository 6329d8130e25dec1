package io.streamnode.process;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A call for a group whose owner has just been killed waits for the new owner (up to
 * {@code limits.call_timeout_ms}) and succeeds after failover, applied exactly once, instead of
 * failing after a fixed retry budget shorter than Hazelcast's failure detection (about 5 s).
 * Separate processes: only a real kill -9 and real serialization show it.
 */
class OwnerFailoverProcessTest {

  private static final int GROUPS = 30;

  @TempDir
  Path dir;

  private static JsonObject increment(String stream, int g) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g" + g).put("item_id", "counter")
        .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1)));
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aCallForAGroupWhoseOwnerWasJustKilledWaitsForTheNewOwnerAndIsAppliedOnce() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start(dir, 3)) {
      String stream = "failover";
      // Two increments per group, through every member: about a third of the groups are owned by member 2.
      for (int round = 0; round < 2; round++) {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
          calls.add(cluster.call((g + round) % 3, "stream::update", increment(stream, g), 20));
        }
        for (CompletableFuture<HttpResponse<String>> c : calls) {
          assertEquals(200, c.get(30, TimeUnit.SECONDS).statusCode(), c.get().body());
        }
      }

      cluster.kill(2);
      long killed = System.nanoTime();
      // At once, through member 0: it still routes member 2's groups to member 2 until Hazelcast
      // notices the death, then to the member their partitions move to.
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      long[] tookMs = new long[GROUPS];
      for (int g = 0; g < GROUPS; g++) {
        int group = g;
        calls.add(cluster.call(0, "stream::update", increment(stream, g), 40)
            .whenComplete((r, err) -> tookMs[group] = (System.nanoTime() - killed) / 1_000_000));
      }
      long slowest = 0;
      for (int g = 0; g < GROUPS; g++) {
        HttpResponse<String> r = calls.get(g).get(45, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), "g" + g + " after " + tookMs[g] + " ms: " + r.body() + "\n" + cluster.logs());
        slowest = Math.max(slowest, tookMs[g]);
      }
      // About a third of the groups were owned by the killed member: their calls waited for
      // Hazelcast to notice (about a second for a killed process, whose sockets close; up to the
      // 5 s heartbeat timeout for a lost machine). Before failover they hung until the call timeout.

      // Each increment was applied exactly once: 2 before the kill + 1 after, read through the other survivor.
      for (int g = 0; g < GROUPS; g++) {
        HttpResponse<String> r = cluster.call(1, "stream::get", new JsonObject().put("stream_name", stream)
            .put("group_id", "g" + g).put("item_id", "counter"), 20).get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(3, new JsonObject(r.body()).getInteger("n"), "g" + g + " counter");
      }
      System.out.printf("owner failover: %d calls made right after kill -9 all succeeded, the slowest after %d ms%n",
          GROUPS, slowest);
    }
  }
}
